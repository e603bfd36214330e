package dev.cairn.core.internal.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs of key groups written in parallel: one file each, sections in key-group order, the view released only after every run. */
class KeyGroupSnapshotWriterTest {

    /** One entry per key group; counts readers in progress and notes a close that came while one was reading. */
    private static final class CountingEntries implements KeyGroupEntries {
        final AtomicInteger reading = new AtomicInteger();
        final AtomicInteger maxReading = new AtomicInteger();
        volatile boolean closedWhileReading;
        volatile boolean closed;
        private final boolean concurrent;
        private final int failingKeyGroup;

        CountingEntries(boolean concurrent, int failingKeyGroup) {
            this.concurrent = concurrent;
            this.failingKeyGroup = failingKeyGroup;
        }

        @Override
        public List<StateMetaInfo> states() {
            return List.of(new StateMetaInfo("s", "VALUE", null, null, null, false));
        }

        @Override
        public KeyGroupRange keyGroupRange() {
            return new KeyGroupRange(0, 127);
        }

        @Override
        public boolean readsConcurrently() {
            return concurrent;
        }

        @Override
        public void read(int keyGroup, StateEntrySink sink) throws IOException {
            maxReading.accumulateAndGet(reading.incrementAndGet(), Math::max);
            try {
                if (keyGroup == failingKeyGroup) {
                    throw new IOException("key group " + keyGroup + " unreadable");
                }
                Thread.yield();
                sink.accept(0, new byte[] {(byte) keyGroup}, new byte[0], null, new byte[] {1, 2, 3});
            } finally {
                reading.decrementAndGet();
            }
        }

        @Override
        public void close() {
            closedWhileReading |= reading.get() > 0;
            closed = true;
        }
    }

    private static StorageSnapshotStreams streams(Path dir) throws IOException {
        return new StorageSnapshotStreams(new LocalFileStorage(dir), "job", "job/chk-1/op/0", "job/shared/op/0", 0);
    }

    @Test
    void runsOfKeyGroupsGoToOneFileEachInKeyGroupOrder(@TempDir Path dir) throws IOException {
        CountingEntries entries = new CountingEntries(true, -1);
        KeyGroupSectionsHandle handle = KeyGroupSnapshotWriter.write(entries, entries.keyGroupRange(), FullFormat.INSTANCE, streams(dir));
        int runs = Math.min(4, Runtime.getRuntime().availableProcessors());
        assertThat(handle.files()).hasSize(runs);
        assertThat(handle.sections()).extracting(KeyGroupSection::keyGroup).containsExactlyElementsOf(
                java.util.stream.IntStream.rangeClosed(0, 127).boxed().toList());
        assertThat(entries.closed).isTrue();
        assertThat(entries.closedWhileReading).isFalse();
    }

    @Test
    void aViewThatCannotBeReadConcurrentlyIsReadByOneThreadIntoOneFile(@TempDir Path dir) throws IOException {
        CountingEntries entries = new CountingEntries(false, -1);
        KeyGroupSectionsHandle handle = KeyGroupSnapshotWriter.write(entries, entries.keyGroupRange(), FullFormat.INSTANCE, streams(dir));
        assertThat(handle.files()).hasSize(1);
        assertThat(handle.sections()).hasSize(128);
        assertThat(entries.maxReading.get()).isEqualTo(1);
    }

    @Test
    void aFailedRunFailsTheSnapshotAfterEveryRunEnded(@TempDir Path dir) throws IOException {
        CountingEntries entries = new CountingEntries(true, 3);
        assertThatThrownBy(() -> KeyGroupSnapshotWriter.write(entries, entries.keyGroupRange(), FullFormat.INSTANCE, streams(dir)))
                .isInstanceOf(IOException.class).hasMessageContaining("key group 3 unreadable");
        assertThat(entries.closed).isTrue();
        assertThat(entries.closedWhileReading).isFalse();
    }
}
