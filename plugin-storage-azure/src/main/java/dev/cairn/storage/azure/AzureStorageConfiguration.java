package dev.cairn.storage.azure;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The platform-wide Azure Blob settings. A job may override the non-secret ones with
 * {@code storage.<name>} properties (typically {@code storage.container} and {@code storage.prefix}).
 */
@ObjectClassDefinition(id = AzureStorageProvider.PID, name = "Cairn Azure Blob snapshot storage",
        description = "Snapshots in an Azure Blob Storage container")
@interface AzureStorageConfiguration {

    @AttributeDefinition(description = "Container that holds the snapshots; a job may name its own with storage.container")
    String container() default "";

    @AttributeDefinition(name = "Create container", description = "Create the container when it does not exist")
    boolean create$_$container() default false;

    @AttributeDefinition(description = "Blob name prefix inside the container, e.g. 'cairn/prod'")
    String prefix() default "";

    @AttributeDefinition(description = "Blob service URL, e.g. https://<account>.blob.core.windows.net; "
            + "not needed with a connection string")
    String endpoint() default "";

    @AttributeDefinition(description = "How Cairn authenticates", options = {
            @Option(value = "connection-string", label = "A storage account connection string"),
            @Option(value = "shared-key", label = "account-name and account-key"),
            @Option(value = "sas", label = "A shared access signature token")})
    String credentials() default "connection-string";

    @AttributeDefinition(name = "Connection string", type = AttributeType.PASSWORD, description = "Used with credentials=connection-string; never shown")
    String connection$_$string() default "";

    @AttributeDefinition(name = "Account name", description = "Used with credentials=shared-key")
    String account$_$name() default "";

    @AttributeDefinition(name = "Account key", type = AttributeType.PASSWORD, description = "Used with credentials=shared-key; never shown")
    String account$_$key() default "";

    @AttributeDefinition(name = "SAS token", type = AttributeType.PASSWORD, description = "Used with credentials=sas; never shown")
    String sas$_$token() default "";

    @AttributeDefinition(name = "Block size (MiB)", min = "1", max = "4000",
            description = "Staged block size; an upload holds at most (upload-concurrency + 1) blocks in memory")
    int block$_$size$_$mb() default 8;

    @AttributeDefinition(name = "Upload concurrency", min = "1", max = "64", description = "Blocks of one blob staged in parallel")
    int upload$_$concurrency() default 4;

    @AttributeDefinition(name = "Retry budget", min = "1", max = "20",
            description = "Tries per request (throttling, 5xx, connection resets), with exponential backoff")
    int max$_$attempts() default 5;

    @AttributeDefinition(name = "Connect timeout (s)", min = "1", max = "600")
    int connect$_$timeout$_$s() default 10;

    @AttributeDefinition(name = "Request timeout (s)", min = "1", max = "3600", description = "Per try; a slower try is retried")
    int request$_$timeout$_$s() default 60;
}
