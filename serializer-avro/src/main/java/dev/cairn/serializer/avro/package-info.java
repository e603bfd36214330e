/**
 * Avro records as state: {@link dev.cairn.serializer.avro.AvroSerializer} for generated (specific)
 * records and for generic records of a schema. Each snapshot keeps the schema the values were
 * written with, so a job restored with an evolved schema has its state resolved by Avro's rules
 * (fields added with defaults, removed, types promoted) and migrated; a change those rules forbid
 * is refused, naming what Avro found.
 */
@Version("0.1.0")
@Export
package dev.cairn.serializer.avro;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
