package dev.cairn.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The plugin's use of the SDK against the SDK's own in-process fake. The fake has no batch
 * requests and ignores preconditions, so write-once and batch delete are covered by the
 * conformance kit against the JSON API test server instead.
 */
class GcsLocalStorageHelperTest {

    private static SnapshotStorage storage() throws java.io.IOException {
        GcsSettings settings = GcsSettings.of(Map.of("credentials", "none"), Map.of("bucket", "local-bucket", "prefix", "cairn", "chunk-size-mb", "1"));
        return new GcsSnapshotStorage(settings, LocalStorageHelper.customOptions(false).getService());
    }

    @Test
    void smallAndChunkedObjectsReadBackWholeAndInRanges() throws Exception {
        byte[] large = new byte[3 * 1024 * 1024 + 5];
        new Random(3).nextBytes(large);
        try (SnapshotStorage storage = storage()) {
            try (OutputStream out = storage.create("job/chk-1/small")) {
                out.write(new byte[]{1, 2, 3});
            }
            try (OutputStream out = storage.create("job/chk-1/large")) {
                for (int i = 0; i < large.length; i += 70_000) {
                    out.write(large, i, Math.min(70_000, large.length - i));
                }
            }
            assertThat(storage.size("job/chk-1/large")).isEqualTo(large.length);
            try (InputStream in = storage.openRange("job/chk-1/large", 1_500_000, 1000)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(large, 1_500_000, 1_501_000));
            }
            try (InputStream in = storage.open("job/chk-1/small")) {
                assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
            }
            assertThat(storage.list("job/chk-1/")).containsExactly("job/chk-1/large", "job/chk-1/small");
            assertThat(storage.delete("job/chk-1/small")).isTrue();
            assertThat(storage.delete("job/chk-1/small")).isFalse();
            assertThat(storage.exists("job/chk-1/small")).isFalse();
        }
    }
}
