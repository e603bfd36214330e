package dev.cairn.core.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.core.internal.storage.LocalFileStorageProvider;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.storage.SnapshotStorage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small owned files go into the metadata; large and shared ones become objects; both read back checked. */
class StorageSnapshotStreamsTest {

    @TempDir
    Path root;

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static FileRef write(SnapshotOutput out, byte[] data) throws Exception {
        try (out) {
            out.write(data);
            return out.closeAndGetRef();
        }
    }

    @Test
    void onlyOwnedFilesWithinTheThresholdAreInlined() throws Exception {
        try (SnapshotStorage storage = new LocalFileStorageProvider().open(Map.of("root", root.toString()))) {
            StorageSnapshotStreams streams = new StorageSnapshotStreams(storage, "job", "job/chk-1/op/0", "job/shared/op/0", 1000);
            FileRef small = write(streams.createOwned("small.bin"), bytes(1000));
            FileRef large = write(streams.createOwned("large.bin"), bytes(1001));
            FileRef shared = write(streams.createShared("shared.bin"), bytes(10));

            assertThat(streams.inlinedFiles()).containsOnlyKeys("chk-1/op/0/small.bin");
            assertThat(streams.createdFiles()).containsExactly("job/chk-1/op/0/large.bin", "job/" + shared.path());
            assertThat(storage.list("job/")).containsExactlyInAnyOrder("job/chk-1/op/0/large.bin", "job/" + shared.path());

            SnapshotMetadata md = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, 1, SnapshotKind.CHECKPOINT, null, "full", "heap", "job", 0, 128,
                    Map.of(), List.of(), streams.inlinedFiles());
            md = MetadataCodec.read(MetadataCodec.write(md), "test");
            StorageSnapshotReader reader = new StorageSnapshotReader(storage, new CompletedSnapshot("job/chk-1", "job", md));
            assertThat(reader.readFile(small)).isEqualTo(bytes(1000));
            assertThat(reader.readFile(large)).isEqualTo(bytes(1001));
            assertThat(reader.readFile(shared)).isEqualTo(bytes(10));
        }
    }

    @Test
    void inlinedSectionsAreCheckedLikeObjects() throws Exception {
        try (SnapshotStorage storage = new LocalFileStorageProvider().open(Map.of("root", root.toString()))) {
            StorageSnapshotStreams streams = new StorageSnapshotStreams(storage, "job", "job/chk-1/op/0", "job/shared/op/0", 20_480);
            KeyGroupSection section;
            try (SnapshotOutput out = streams.createOwned("state.bin")) {
                out.write(bytes(100));
                out.beginSection();
                out.write(bytes(50));
                section = out.endSection(7);
                out.closeAndGetRef();
            }
            byte[] content = streams.inlinedFiles().get("chk-1/op/0/state.bin");
            SnapshotMetadata good = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, 1, SnapshotKind.CHECKPOINT, null, "full", "heap", "job", 0, 128,
                    Map.of(), List.of(), Map.of("chk-1/op/0/state.bin", content));
            assertThat(new StorageSnapshotReader(storage, new CompletedSnapshot("job/chk-1", "job", good)).readSection(section))
                    .isEqualTo(bytes(50));

            byte[] damaged = Arrays.copyOf(content, content.length);
            damaged[120] ^= 0x10;
            SnapshotMetadata bad = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, 1, SnapshotKind.CHECKPOINT, null, "full", "heap", "job", 0, 128,
                    Map.of(), List.of(), Map.of("chk-1/op/0/state.bin", damaged));
            assertThatThrownBy(() -> new StorageSnapshotReader(storage, new CompletedSnapshot("job/chk-1", "job", bad)).readSection(section))
                    .isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("job/chk-1/op/0/state.bin").hasMessageContaining("CRC32C");
            assertThat(storage.list("job/")).isEmpty();
        }
    }

    @Test
    void sectionsReadTogetherComeBackInTheOrderAskedAndChecked() throws Exception {
        try (SnapshotStorage storage = new LocalFileStorageProvider().open(Map.of("root", root.toString()))) {
            StorageSnapshotStreams streams = new StorageSnapshotStreams(storage, "job", "job/chk-1/op/0", "job/shared/op/0", 0);
            KeyGroupSection a;
            KeyGroupSection b;
            KeyGroupSection far;
            try (SnapshotOutput out = streams.createShared("log.bin")) {
                out.beginSection();
                out.write(bytes(100));
                a = out.endSection(1);
                out.beginSection();
                out.write(bytes(200));
                b = out.endSection(2);
                out.beginSection();
                out.write(bytes(400_000)); // past the gap one read spans: the next section is fetched on its own
                out.endSection(3);
                out.beginSection();
                out.write(bytes(300));
                far = out.endSection(4);
                out.closeAndGetRef();
            }
            SnapshotMetadata md = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, 1, SnapshotKind.CHECKPOINT, null, "full", "heap", "job", 0, 128,
                    Map.of(), List.of(), Map.of());
            StorageSnapshotReader reader = new StorageSnapshotReader(storage, new CompletedSnapshot("job/chk-1", "job", md));

            List<byte[]> read = reader.readSections(List.of(far, a, b));
            assertThat(read.get(0)).isEqualTo(bytes(300));
            assertThat(read.get(1)).isEqualTo(bytes(100));
            assertThat(read.get(2)).isEqualTo(bytes(200));

            Path file = root.resolve("job").resolve(b.path());
            byte[] stored = java.nio.file.Files.readAllBytes(file);
            stored[(int) b.offset() + 5] ^= 1;
            java.nio.file.Files.write(file, stored);
            assertThatThrownBy(() -> reader.readSections(List.of(a, b)))
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("log.bin").hasMessageContaining("key group 2");
        }
    }

    /** A section larger than one first read comes back whole; one whose stored file is shorter than its length is reported as truncated. */
    @Test
    void largeSectionsReadWholeAndShortFilesAreReportedTruncated() throws Exception {
        try (SnapshotStorage storage = new LocalFileStorageProvider().open(Map.of("root", root.toString()))) {
            StorageSnapshotStreams streams = new StorageSnapshotStreams(storage, "job", "job/chk-1/op/0", "job/shared/op/0", 0);
            KeyGroupSection large;
            try (SnapshotOutput out = streams.createShared("large.bin")) {
                out.write(bytes(10));
                out.beginSection();
                out.write(bytes(40 << 20)); // past the 16 MiB a read allocates first
                large = out.endSection(3);
                out.closeAndGetRef();
            }
            SnapshotMetadata md = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, 1, SnapshotKind.CHECKPOINT, null, "full", "heap", "job", 0, 128,
                    Map.of(), List.of(), Map.of());
            StorageSnapshotReader reader = new StorageSnapshotReader(storage, new CompletedSnapshot("job/chk-1", "job", md));
            assertThat(reader.readSection(large)).isEqualTo(bytes(40 << 20));

            KeyGroupSection pastTheEnd = new KeyGroupSection(3, large.path(), large.offset(), large.length() + 5, large.crc32c());
            assertThatThrownBy(() -> reader.readSection(pastTheEnd))
                    .isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("large.bin").hasMessageContaining("truncated")
                    .hasMessageContaining("expected " + (large.length() + 5) + " bytes, found " + large.length());
        }
    }
}
