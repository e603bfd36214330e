package dev.cairn.examples.offers;

/** A merchant's offer for a SKU. */
public record Offer(String sku, long seq, long offerId, long priceCents) implements SkuEvent {
}
