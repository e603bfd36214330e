package dev.cairn.core.internal.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The console reads no more of a line than it allows: a client without a newline cannot fill the heap. */
class ConsoleLineTest {

    private static InputStream of(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void linesWithinTheLimitAreReadOneAtATime() throws Exception {
        InputStream in = of("abc\r\nsecond line é\n");
        assertThat(ConsoleEndpoint.readLine(in, 10)).isEqualTo("abc");
        assertThat(ConsoleEndpoint.readLine(in, 64)).isEqualTo("second line é");
        assertThat(ConsoleEndpoint.readLine(in, 64)).isNull();
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedAfterReadingOnlyTheLimit() throws Exception {
        int[] read = new int[1];
        // an endless stream without a newline: reading it to a line end would never return
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                read[0]++;
                return 'x';
            }
        };
        assertThat(ConsoleEndpoint.readLine(endless, 50)).isNull();
        assertThat(read[0]).isEqualTo(50);
        assertThat(ConsoleEndpoint.readLine(of("0123456789\n"), 10)).isNull();
        assertThat(ConsoleEndpoint.readLine(of("0123456789\n"), 11)).isEqualTo("0123456789");
    }
}
