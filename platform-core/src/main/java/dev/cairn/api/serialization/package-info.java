/**
 * Type serializers for state and their snapshots: how a value is written, and how a restore
 * decides whether the bytes on storage can still be read by the serializer a job declares now.
 */
@Export
@Version("0.3.0")
package dev.cairn.api.serialization;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
