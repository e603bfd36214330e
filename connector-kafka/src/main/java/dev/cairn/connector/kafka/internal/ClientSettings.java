package dev.cairn.connector.kafka.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Where the cluster is and the user's client properties. Never printed: properties may hold
 * credentials ({@code sasl.jaas.config}, key store passwords).
 */
public final class ClientSettings {

    private final String owner;
    private final String bootstrapServers;
    private final HashMap<String, String> properties;

    public ClientSettings(String owner, String bootstrapServers, Map<String, String> properties) {
        checkBootstrapServers(owner, bootstrapServers);
        this.owner = owner;
        this.bootstrapServers = bootstrapServers;
        this.properties = new HashMap<>(properties);
    }

    public static void checkBootstrapServers(String owner, String servers) {
        if (servers == null || !servers.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
            throw new IllegalArgumentException(owner + " bootstrapServers=" + servers + " is not allowed: use host:port[,host:port…]");
        }
    }

    /** The client properties: the user's, then the connector's own on top. */
    public Properties with(Map<String, String> own) {
        Properties p = new Properties();
        p.putAll(properties);
        p.put("bootstrap.servers", bootstrapServers);
        p.putAll(own);
        return p;
    }

    public String property(String name) {
        return properties.get(name);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates a client with this bundle's class loader as the context loader: the Kafka client
     * loads its pluggable classes (login modules, metrics reporters) through it, and in OSGi the
     * task thread's context loader does not see the embedded client.
     */
    public static <C> C create(Callable<C> factory) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(ClientSettings.class.getClassLoader());
        try {
            return factory.call();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Override
    public String toString() {
        return owner + "[" + bootstrapServers + ", " + properties.size() + " client properties]";
    }
}
