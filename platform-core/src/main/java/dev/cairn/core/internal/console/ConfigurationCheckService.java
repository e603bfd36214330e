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
        Map<String, Object> framework = new LinkedHashMap<>();
        Map<String, Object> own = new LinkedHashMap<>();
        properties.forEach((k, v) -> (isFrameworkProperty(k) ? framework : own).put(k, v));
        try {
            ConfigurationAccess.Target target = configs.target(factoryPid, pid);
            if (target.ocd() == null) {
                return properties; // not described: neither Metatype nor the kernel has a rule for it
            }
            // what the description does not define a Metatype form cannot show: a job's param.* and storage.*, and the
            // file the configuration was read from (without it, FileInstall would no longer write changes back to it)
            java.util.Set<String> described = new java.util.HashSet<>();
            target.attributes().forEach(ad -> described.add(ad.getID()));
            configs.properties(target).forEach((k, v) -> {
                if (k.equals(ConfigurationAccess.FILE_PROPERTY)) {
                    framework.putIfAbsent(k, v);
                } else if (!isFrameworkProperty(k) && !described.contains(k)) {
                    own.putIfAbsent(k, v);
                }
            });
            Map<String, Object> typed = configs.typed(target, own);
            configs.validate(target, typed);
            Map<String, Object> result = new LinkedHashMap<>(framework);
            result.putAll(framework.containsKey(ConfigurationAccess.FILE_PROPERTY) ? ConfigurationAccess.asText(typed) : typed);
            return result;
        } catch (InvalidConfigurationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void checkDelete(String factoryPid, String pid) {
        try {
            var file = configs.file(configs.target(factoryPid, pid));
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
