package dev.cairn.spi.snapshot;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Base64;

/**
 * A serializer snapshot as stored in metadata: class, version and its own bytes (base64), plus a
 * readable description of the serializer for people and error messages.
 */
public record SerializerSnapshotRef(String snapshotClass, int version, String data, String serializer) {

    public static SerializerSnapshotRef of(TypeSerializer<?> serializer) {
        TypeSerializerSnapshot<?> snapshot = serializer.snapshotConfiguration();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            snapshot.writeSnapshot(out);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot snapshot serializer " + serializer.describe(), e);
        }
        return new SerializerSnapshotRef(snapshot.getClass().getName(), snapshot.currentVersion(),
                Base64.getEncoder().encodeToString(bytes.toByteArray()), serializer.describe());
    }

    /** Writes this reference into another serializer's snapshot (a wrapper's, a composite's); {@link #readFrom} reads it. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(snapshotClass);
        out.writeInt(version);
        byte[] bytes = data.getBytes(java.nio.charset.StandardCharsets.US_ASCII); // base64: a large schema outgrows writeUTF
        out.writeInt(bytes.length);
        out.write(bytes);
        out.writeUTF(serializer);
    }

    public static SerializerSnapshotRef readFrom(DataInput in) throws IOException {
        String snapshotClass = in.readUTF();
        int version = in.readInt();
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new SerializerSnapshotRef(snapshotClass, version, new String(bytes, java.nio.charset.StandardCharsets.US_ASCII), in.readUTF());
    }

    /**
     * Instantiates and reads the snapshot. Only classes that implement
     * {@link TypeSerializerSnapshot} are instantiated, whatever the metadata says.
     */
    @SuppressWarnings("unchecked")
    public <T> TypeSerializerSnapshot<T> restore(ClassLoader... loaders) throws IOException {
        Class<?> type = null;
        for (ClassLoader loader : loaders) {
            try {
                type = Class.forName(snapshotClass, false, loader);
                break;
            } catch (ClassNotFoundException e) {
                // try the next loader
            }
        }
        if (type == null) {
            throw new IOException("Serializer snapshot class " + snapshotClass + " (serializer " + serializer + ") is not available");
        }
        if (!TypeSerializerSnapshot.class.isAssignableFrom(type)) {
            throw new IOException("Class " + snapshotClass + " named in snapshot metadata is not a TypeSerializerSnapshot");
        }
        try {
            TypeSerializerSnapshot<T> snapshot = (TypeSerializerSnapshot<T>) type.getConstructor().newInstance();
            snapshot.readSnapshot(version, new DataInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(data))),
                    loaders.length > 0 ? loaders[loaders.length - 1] : null);
            return snapshot;
        } catch (ReflectiveOperationException e) {
            throw new IOException("Cannot instantiate serializer snapshot " + snapshotClass, e);
        }
    }

    /**
     * The serializer this reference describes, for restoring state {@code state} of operator
     * {@code operatorUid}: what a backend needs to read the bytes a snapshot holds.
     */
    public dev.cairn.api.serialization.TypeSerializer<?> restoreSerializer(String state, String operatorUid, ClassLoader... loaders)
            throws IOException {
        TypeSerializerSnapshot<?> snapshot = restore(loaders);
        try {
            return snapshot.restoreSerializer();
        } catch (RuntimeException e) {
            throw new IOException("Cannot restore serializer " + serializer + " of state '" + state + "' in operator '" + operatorUid
                    + "': " + e.getMessage(), e);
        }
    }
}
