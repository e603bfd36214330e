/**
 * "Offer enrichment": offers and product updates, keyed by SKU, joined through keyed state into
 * enriched offers written exactly once to files.
 */
@Export
@Version("0.1.0")
package dev.cairn.examples.offers;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
