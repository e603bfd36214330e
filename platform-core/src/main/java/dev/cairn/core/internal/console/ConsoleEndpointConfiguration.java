package dev.cairn.core.internal.console;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = ConsoleEndpoint.PID, name = "Cairn console endpoint",
        description = "Where bin/cairn reaches a running platform. Clients authenticate with the token in <cairn.data>/console.token, "
                + "readable by the platform's user only.")
@interface ConsoleEndpointConfiguration {

    @AttributeDefinition(name = "Host", description = "Address to bind; a non-loopback address also needs allow-remote=true")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", min = "0", max = "65535", description = "TCP port; 0 picks a free one (written to <cairn.data>/console.port)")
    int port() default 0;

    @AttributeDefinition(name = "Allow remote", description = "Permit binding to a non-loopback address")
    boolean allow$_$remote() default false;
}
