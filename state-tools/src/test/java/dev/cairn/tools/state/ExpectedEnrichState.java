package dev.cairn.tools.state;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.core.internal.catalog.OperatorStateHandle;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.examples.offers.OfferEnrichmentJob;
import dev.cairn.examples.offers.Product;
import dev.cairn.examples.offers.ProductUpdate;
import dev.cairn.examples.offers.SkuEvent;
import dev.cairn.examples.offers.Timeline;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the example job's enrichment holds per SKU in a snapshot, computed without the tool and
 * without any backend: from the sources' split positions the snapshot's operator state records
 * (read straight from the file at the offsets in the metadata) and the seeded timeline. Each source
 * emitted every event of its split and kind before its position; the enrichment applied a SKU's
 * events up to the first one missing, and parked the later ones.
 */
final class ExpectedEnrichState {

    /** One SKU's state: {@code nextSeq} and {@code product} are {@code null} when the job never set them. */
    record SkuState(Long nextSeq, Product product, Map<Long, SkuEvent> parked) {
    }

    private ExpectedEnrichState() {
    }

    static Map<String, SkuState> of(OpenedSnapshot opened) throws Exception {
        Timeline timeline = Timeline.of(ExampleSnapshots.SEED, ExampleSnapshots.EVENTS, ExampleSnapshots.SKUS);
        Timeline.Reader reader = timeline.reader();
        Map<String, TreeMap<Long, SkuEvent>> emitted = new TreeMap<>();
        for (String source : List.of("offers", "product-updates")) {
            boolean updates = source.equals("product-updates");
            for (String position : splitPositions(opened, source)) {
                int split = Integer.parseInt(position.substring(0, position.indexOf(':')));
                int next = Integer.parseInt(position.substring(position.indexOf(':') + 1));
                for (int i = 0; i < next; i++) {
                    if (Timeline.splitOf(reader.skuNumber(i), OfferEnrichmentJob.SPLITS) == split && reader.isProductUpdate(i) == updates) {
                        SkuEvent e = reader.event(i);
                        emitted.computeIfAbsent(e.sku(), s -> new TreeMap<>()).put(e.seq(), e);
                    }
                }
            }
        }
        Map<String, SkuState> out = new TreeMap<>();
        emitted.forEach((sku, events) -> {
            long next = 0;
            Product product = null;
            while (events.containsKey(next)) {
                if (events.get(next) instanceof ProductUpdate u) {
                    product = new Product(u.title(), u.version());
                }
                next++;
            }
            out.put(sku, new SkuState(next == 0 ? null : next, product, new TreeMap<>(events.tailMap(next, false))));
        });
        return out;
    }

    /** The elements of list state {@code split-positions} of every subtask of {@code uid}, as the platform wrote them. */
    private static List<String> splitPositions(OpenedSnapshot opened, String uid) throws Exception {
        List<String> positions = new ArrayList<>();
        for (SnapshotMetadata.SubtaskSnapshot st : opened.metadata().operator(uid).subtasks()) {
            OperatorStateHandle handle = st.operatorState();
            byte[] file = Files.readAllBytes(opened.root().resolve(opened.snapshot().resolve(handle.file().path())));
            for (OperatorStateHandle.StateEntry e : handle.states()) {
                if (e.name().equals("split-positions")) {
                    DataInputStream in = new DataInputStream(new ByteArrayInputStream(file, (int) e.offset(), file.length - (int) e.offset()));
                    for (int i = 0; i < e.count(); i++) {
                        positions.add(Serializers.STRING.deserialize(in));
                    }
                }
            }
        }
        return positions;
    }
}
