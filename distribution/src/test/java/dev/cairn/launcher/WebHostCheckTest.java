package dev.cairn.launcher;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WebHostCheckTest {

    @Test
    void theWebServerStaysOnLoopbackUnlessTheOperatorAllowsMore() {
        assertThatCode(() -> Platform.requireLoopbackWeb(Map.of(Platform.WEB_HOST, "127.0.0.1"))).doesNotThrowAnyException();
        assertThatCode(() -> Platform.requireLoopbackWeb(Map.of(Platform.WEB_HOST, "localhost"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> Platform.requireLoopbackWeb(Map.of(Platform.WEB_HOST, "0.0.0.0")))
                .hasMessageContaining("org.apache.felix.http.host=0.0.0.0 is not allowed").hasMessageContaining("cairn.web.allow-remote=true");
        // without a host Jetty would listen on every interface
        assertThatThrownBy(() -> Platform.requireLoopbackWeb(Map.of())).hasMessageContaining("org.apache.felix.http.host=null is not allowed");
        assertThatCode(() -> Platform.requireLoopbackWeb(Map.of(Platform.WEB_HOST, "0.0.0.0", Platform.WEB_ALLOW_REMOTE, "true")))
                .doesNotThrowAnyException();
    }
}
