package dev.cairn.examples.offers;

/** A new version of a SKU's product data. */
public record ProductUpdate(String sku, long seq, int version, String title) implements SkuEvent {
}
