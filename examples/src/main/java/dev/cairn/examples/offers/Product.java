package dev.cairn.examples.offers;

/** What the job remembers per SKU (stored with the Kryo fallback serializer). */
public record Product(String title, int version) {
}
