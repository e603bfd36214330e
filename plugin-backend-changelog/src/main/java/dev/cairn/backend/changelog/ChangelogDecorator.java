package dev.cairn.backend.changelog;

import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.backend.StateBackendDecorator;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The changelog plugin: wraps the backend of every job that turns it on. Uploads of every job's
 * logs share one pool per platform process, and so do background materialisations.
 */
@Component(service = StateBackendDecorator.class, configurationPid = ChangelogDecorator.PID)
@Designate(ocd = ChangelogConfiguration.class)
public final class ChangelogDecorator implements StateBackendDecorator {
    static final String NAME = "changelog";
    static final String PID = "cairn.backend.changelog";
    private static final Logger LOG = Logger.getLogger(ChangelogDecorator.class.getName());

    private volatile ChangelogSettings settings;
    private final ExecutorService uploads = Executors.newFixedThreadPool(2, threads("cairn-changelog-upload"));
    private final ExecutorService materializations = Executors.newFixedThreadPool(1, threads("cairn-changelog-materialize"));

    /** Embedded use: the defaults. */
    public ChangelogDecorator() {
        this(Map.of());
    }

    /** A refused configuration leaves the defaults in place rather than taking the changelog away from its jobs. */
    @Activate
    public ChangelogDecorator(Map<String, Object> properties) {
        ChangelogSettings s;
        try {
            s = ChangelogSettings.of(properties);
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused, using the defaults: " + e.getMessage());
            s = ChangelogSettings.DEFAULTS;
        }
        this.settings = s;
    }

    /** A valid change applies to jobs started from now on; a refused one leaves the current settings. */
    @Modified
    void modified(Map<String, Object> properties) {
        try {
            settings = ChangelogSettings.of(properties);
            LOG.info("Configuration " + PID + " changed; it applies to jobs started from now on");
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused, the changelog keeps its current one: " + e.getMessage());
        }
    }

    @Deactivate
    void stop() {
        uploads.shutdownNow();
        materializations.shutdownNow();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StateBackend wrap(StateBackend backend) {
        return new ChangelogStateBackend(backend, settings, uploads, materializations);
    }

    /** For tests: the changelog with these settings. */
    StateBackend wrap(StateBackend backend, ChangelogSettings with) {
        return new ChangelogStateBackend(backend, with, uploads, materializations);
    }

    private static ThreadFactory threads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
