package dev.cairn.examples.offers;

/**
 * An event about one SKU. {@code seq} numbers the events of a SKU across both streams, so the
 * enrichment can apply them in the order they happened whatever order they arrive in.
 */
public sealed interface SkuEvent extends java.io.Serializable permits Offer, ProductUpdate {
    String sku();

    long seq();
}
