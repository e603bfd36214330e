package dev.cairn.core.internal.platform;

import java.util.Map;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One per {@code cairn.job} factory configuration (created by the console, a file in
 * {@code deploy/} or {@code etc/}, or any ConfigAdmin client): hands it to the supervisor.
 */
@Component(service = {}, configurationPid = JobSpec.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = JobConfiguration.class, factory = true)
public final class JobInstanceComponent {

    private final JobSupervisor supervisor;
    private final String pid;

    @Activate
    public JobInstanceComponent(@Reference JobSupervisor supervisor, Map<String, Object> properties) {
        this.supervisor = supervisor;
        this.pid = String.valueOf(properties.get("service.pid"));
        supervisor.configured(pid, properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        supervisor.configured(pid, properties);
    }

    @Deactivate
    void deactivate(int reason) {
        supervisor.removed(pid, reason == ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED);
    }
}
