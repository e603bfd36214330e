package dev.cairn.storage.s3;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * A real S3 server on a free loopback port: s3proxy with an in-memory blob store and AWS
 * signature checking, so that the plugin's requests are signed and verified.
 */
public final class S3TestServer implements AutoCloseable {

    public static final String ACCESS_KEY = "cairn-test-access";
    public static final String SECRET_KEY = "cairn-test-secret-value";

    private final S3Proxy proxy;
    private final BlobStore blobStore;

    public S3TestServer() throws Exception {
        blobStore = BlobStores.create("transient", new Properties());
        proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
    }

    public int port() {
        return proxy.getPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public void createBucket(String name) {
        blobStore.createContainer(name);
    }

    /** Multipart uploads begun and neither completed nor aborted. */
    public int openMultipartUploads(String bucket) {
        return blobStore.listMultipartUploads(bucket).size();
    }

    /** Every key in {@code bucket}, sorted. */
    public java.util.List<String> objectKeys(String bucket) {
        return blobStore.list(software.amazon.awssdk.services.s3.model.ListObjectsV2Request.builder().bucket(bucket).maxKeys(100_000).build())
                .contents().stream().map(software.amazon.awssdk.services.s3.model.S3Object::key).sorted().toList();
    }

    /** The plugin-wide settings for this server with static credentials. */
    public java.util.Map<String, Object> pluginSettings() {
        return java.util.Map.of("endpoint", endpoint(), "path-style", "true", "credentials", "static",
                "access-key", ACCESS_KEY, "secret-key", SECRET_KEY, "max-attempts", "6");
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
