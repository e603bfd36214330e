package dev.cairn.examples.platform;

import dev.cairn.examples.offers.OutputCheck;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/** {@code offers:verify <output> <seed> <events> <skus>}: is the committed output exactly once? */
@Component(service = VerifyCommand.class, property = {"osgi.command.scope=offers", "osgi.command.function=verify",
        "cairn.console=true"}) // bin/cairn offers:verify runs it on the remote console
public final class VerifyCommand {

    public Map<String, Object> verify(String output, long seed, int events, int skus) throws IOException {
        OutputCheck.Result r = OutputCheck.check(Path.of(output), seed, events, skus);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("exactly-once", r.exactlyOnce());
        m.put("expected", r.expected());
        m.put("committed", r.committed());
        m.put("missing", r.missing());
        m.put("duplicated", r.duplicated());
        m.put("unexpected", r.unexpected());
        return m;
    }
}
