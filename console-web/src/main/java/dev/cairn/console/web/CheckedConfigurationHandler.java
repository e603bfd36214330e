package dev.cairn.console.web;

import dev.cairn.api.monitor.ConfigurationChecks;
import java.util.Collections;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.ValidationException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Puts every change made on the web console's configuration page through the checks of
 * {@code bin/cairn set}: a refused value is shown with the console's message and stored nowhere,
 * a configuration read from a file keeps its format, and one defined by a file is not deleted
 * behind it. The platform's own services (the web console itself, HTTP, FileInstall) are neither
 * listed nor changed there: they decide where the platform listens and what its consoles may do,
 * so they change only in their files.
 */
@Component(service = ConfigurationHandler.class)
public final class CheckedConfigurationHandler implements ConfigurationHandler {

    private final ConfigurationChecks checks;

    @Activate
    public CheckedConfigurationHandler(@Reference ConfigurationChecks checks) {
        this.checks = checks;
    }

    @Override
    public void createConfiguration(String pid) throws ValidationException {
        editable(null, pid);
    }

    @Override
    public void createFactoryConfiguration(String factoryPid, String name) throws ValidationException {
        editable(factoryPid, factoryPid + "~" + name);
    }

    @Override
    public void deleteConfiguration(String factoryPid, String pid) throws ValidationException {
        try {
            checks.checkDelete(factoryPid, pid);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage());
        }
    }

    @Override
    public void updateConfiguration(String factoryPid, String pid, Dictionary<String, Object> properties) throws ValidationException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : Collections.list(properties.keys())) {
            values.put(key, properties.get(key));
        }
        Map<String, Object> checked;
        try {
            checked = checks.checkUpdate(factoryPid, pid, values);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage());
        }
        for (String key : Collections.list(properties.keys())) {
            properties.remove(key); // only what the checks return is stored
        }
        checked.forEach(properties::put);
    }

    /** Only what the consoles may change is listed: not the platform's own services. */
    @Override
    public boolean listConfiguration(String factoryPid, String pid) {
        try {
            checks.checkEditable(factoryPid, pid);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void editable(String factoryPid, String pid) throws ValidationException {
        try {
            checks.checkEditable(factoryPid, pid);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage());
        }
    }
}
