package dev.cairn.core.internal.console;

import dev.cairn.api.monitor.ConfigurationChecks;
import dev.cairn.core.internal.platform.InvalidConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The console's checks of a configuration change, offered to editors that write to ConfigAdmin themselves. */
@Component(service = ConfigurationChecks.class)
public final class ConfigurationCheckService implements ConfigurationChecks {

    private final ConfigurationAccess configs;

    @Activate
    public ConfigurationCheckService(@Reference ConfigurationAccess configs) {
        this.configs = configs;
    }

    @Override
    public Map<String, Object> checkUpdate(String factoryPid, String pid, Map<String, Object> properties) {
        try {
            ConfigurationAccess.Target target = configs.target(factoryPid, pid);
            configs.checkEditable(target);
            Map<String, Object> requested = new LinkedHashMap<>();
            properties.forEach((k, v) -> {
                if (!isFrameworkProperty(k)) { // an editor does not choose the file a configuration is written back to
                    requested.put(k, v);
                }
            });
            Map<String, Object> result = configs.typed(target, requested);
            // what the description does not define a Metatype form cannot show (a job's param.* and storage.*): kept as
            // stored, like the file the configuration was read from (without it, FileInstall would stop writing changes back)
            java.util.Set<String> described = new java.util.HashSet<>();
            target.attributes().forEach(ad -> described.add(ad.getID()));
            Object file = null;
            for (Map.Entry<String, Object> stored : configs.properties(target).entrySet()) {
                if (stored.getKey().equals(ConfigurationAccess.FILE_PROPERTY)) {
                    file = stored.getValue();
                } else if (!isFrameworkProperty(stored.getKey()) && !described.contains(stored.getKey())) {
                    result.putIfAbsent(stored.getKey(), stored.getValue());
                }
            }
            configs.validate(target, result);
            if (file != null) {
                result = ConfigurationAccess.asText(result);
                result.put(ConfigurationAccess.FILE_PROPERTY, file);
            }
            return result;
        } catch (InvalidConfigurationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void checkEditable(String factoryPid, String pid) {
        try {
            configs.checkEditable(configs.target(factoryPid, pid));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void checkDelete(String factoryPid, String pid) {
        try {
            ConfigurationAccess.Target target = configs.target(factoryPid, pid);
            configs.checkEditable(target);
            var file = configs.file(target);
            if (file.isPresent()) {
                throw new IllegalArgumentException(pid + " is defined in " + file.get() + ": delete that file to remove it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isFrameworkProperty(String key) {
        return key.startsWith("service.") || key.equals(ConfigurationAccess.FILE_PROPERTY);
    }
}
