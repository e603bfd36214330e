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
 * behind it. The web console's own settings are not shown there: they decide what the web
 * console may do, so they change only in their file.
 */
@Component(service = ConfigurationHandler.class)
public final class CheckedConfigurationHandler implements ConfigurationHandler {

    static final String WEB_CONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";

    private final ConfigurationChecks checks;

    @Activate
    public CheckedConfigurationHandler(@Reference ConfigurationChecks checks) {
        this.checks = checks;
    }

    @Override
    public void createConfiguration(String pid) throws ValidationException {
        refuseWebConsoleSettings(pid);
    }

    @Override
    public void createFactoryConfiguration(String factoryPid, String name) {
        // checked when its properties are stored
    }

    @Override
    public void deleteConfiguration(String factoryPid, String pid) throws ValidationException {
        refuseWebConsoleSettings(pid);
        try {
            checks.checkDelete(factoryPid, pid);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage());
        }
    }

    @Override
    public void updateConfiguration(String factoryPid, String pid, Dictionary<String, Object> properties) throws ValidationException {
        refuseWebConsoleSettings(pid);
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
        checked.forEach(properties::put);
    }

    @Override
    public boolean listConfiguration(String factoryPid, String pid) {
        return !WEB_CONSOLE_PID.equals(pid);
    }

    private static void refuseWebConsoleSettings(String pid) throws ValidationException {
        if (WEB_CONSOLE_PID.equals(pid)) {
            throw new ValidationException("The web console's own settings change only in etc/" + WEB_CONSOLE_PID + ".cfg");
        }
    }
}
