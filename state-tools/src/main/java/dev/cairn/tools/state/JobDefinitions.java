package dev.cairn.tools.state;

import dev.cairn.api.job.JobGraph;
import dev.cairn.api.platform.JobDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Finds a job definition in a job's jar as the platform does, by the name its component declares
 * ({@code cairn.job.definition} in the jar's Declarative Services descriptors), and builds the
 * graph of one job instance from it, outside any OSGi framework.
 */
final class JobDefinitions {

    private JobDefinitions() {
    }

    static JobGraph build(Path jar, ClassLoader loader, String definition, String jobName, Map<String, String> parameters)
            throws ToolException {
        Map<String, String> found = definitions(jar);
        String type = found.get(definition);
        if (type == null) {
            throw new ToolException("--definition " + definition + ": " + jar + " declares no such job definition (it declares: "
                    + (found.isEmpty() ? "none" : String.join(", ", found.keySet())) + ")");
        }
        try {
            JobDefinition d = (JobDefinition) Class.forName(type, true, loader).getConstructor().newInstance();
            return d.build(jobName, parameters);
        } catch (IllegalArgumentException e) {
            throw new ToolException("job definition " + definition + " refused its parameters: " + OpenedSnapshot.firstLine(e));
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new ToolException("job definition " + definition + " (" + type + ") cannot be created outside the platform: "
                    + OpenedSnapshot.firstLine(e));
        }
    }

    /** Definition name → implementation class, from the jar's {@code OSGI-INF/*.xml} component descriptors. */
    private static Map<String, String> definitions(Path jar) throws ToolException {
        Map<String, String> out = new TreeMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            List<JarEntry> descriptors = new ArrayList<>();
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (entry.getName().startsWith("OSGI-INF/") && entry.getName().endsWith(".xml")) {
                    descriptors.add(entry);
                }
            }
            for (JarEntry entry : descriptors) {
                Document doc;
                try (InputStream in = file.getInputStream(entry)) {
                    doc = factory.newDocumentBuilder().parse(in);
                }
                String name = null;
                NodeList properties = doc.getElementsByTagName("property");
                for (int i = 0; i < properties.getLength(); i++) {
                    Element p = (Element) properties.item(i);
                    if (p.getAttribute("name").equals(JobDefinition.NAME_PROPERTY)) {
                        name = p.getAttribute("value");
                    }
                }
                NodeList implementation = doc.getElementsByTagName("implementation");
                if (name != null && implementation.getLength() == 1) {
                    out.put(name, ((Element) implementation.item(0)).getAttribute("class"));
                }
            }
        } catch (IOException | javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new ToolException("--job " + jar + ": cannot read its job definitions: " + OpenedSnapshot.firstLine(e));
        }
        return out;
    }
}
