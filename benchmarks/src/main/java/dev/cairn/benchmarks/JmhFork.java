package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

/**
 * One JMH run on a class path of its own (one side's backends only), its results added to the
 * suite's: how the suites interleave Cairn and Flink forks in one run.
 */
final class JmhFork {

    private JmhFork() {
    }

    static void run(String classPath, ChainedOptionsBuilder options, Path out, ArrayNode forks) throws Exception {
        String original = System.getProperty("java.class.path");
        Path result = out.resolve("fork.json");
        System.setProperty("java.class.path", classPath); // JMH builds a fork's class path from it
        try {
            new Runner(options.resultFormat(ResultFormatType.JSON).result(result.toString()).build()).run();
            new ObjectMapper().readTree(result.toFile()).forEach(forks::add);
            Files.delete(result);
        } finally {
            System.setProperty("java.class.path", original);
        }
    }
}
