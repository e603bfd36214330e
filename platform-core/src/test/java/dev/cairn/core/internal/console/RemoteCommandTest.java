package dev.cairn.core.internal.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RemoteCommandTest {

    private static RemoteCommand.Answer answer(String line) {
        assertThat(RemoteCommand.interpret(line)).as(line).isInstanceOf(RemoteCommand.Answer.class);
        return (RemoteCommand.Answer) RemoteCommand.interpret(line);
    }

    @Test
    void cairnCommandsRunWithOrWithoutTheirScope() {
        assertThat(RemoteCommand.interpret("jobs")).isEqualTo(new RemoteCommand.Run("cairn:jobs", RemoteCommand.find("jobs").orElseThrow()));
        assertThat(RemoteCommand.interpret("cairn:set offers 'param.note=a;b' job.parallelism=2"))
                .extracting(i -> ((RemoteCommand.Run) i).gogoLine()).isEqualTo("cairn:set offers 'param.note=a;b' job.parallelism=2");
    }

    @Test
    void aTypoGetsTheCommandItWasMeantToBe() {
        assertThat(answer("jbos")).isEqualTo(new RemoteCommand.Answer("unknown command 'jbos'. Did you mean 'jobs'? 'help' lists the commands.", 1));
        assertThat(answer("savepiont offers").text()).contains("Did you mean 'savepoint'?");
        assertThat(answer("snap").text()).contains("Did you mean 'snapshot'?");
        assertThat(answer("frobnicate").text()).isEqualTo("unknown command 'frobnicate'. 'help' lists the commands.");
    }

    @Test
    void otherBundlesCommandsAndShellSyntaxAreRefused() {
        assertThat(answer("felix:install file:/tmp/x.jar")).satisfies(a -> {
            assertThat(a.exit()).isEqualTo(1);
            assertThat(a.text()).startsWith("refused: 'felix:install' is not a Cairn command");
        });
        assertThat(answer("gogo:cat /etc/passwd").exit()).isEqualTo(1);
        assertThat(answer("jobs ; felix:lb").text()).startsWith("refused: ';' is not allowed");
        assertThat(answer("job $(felix:lb)").text()).startsWith("refused: '$' is not allowed");
        assertThat(answer("jobs | grep x").text()).startsWith("refused: '|'");
        assertThat(answer("set offers param.x={a}").text()).contains("usage: set <job|pid> key=value…");
    }

    @Test
    void aCommandABundlePublishedToTheRemoteConsoleRuns() {
        RemoteCommand.Published verify = (scope, function) -> scope.equals("offers") && function.equals("verify");
        assertThat(RemoteCommand.interpret("offers:verify /out 7 100 5", verify))
                .extracting(i -> ((RemoteCommand.Run) i).gogoLine()).isEqualTo("offers:verify /out 7 100 5");
        assertThat(RemoteCommand.interpret("offers:verify /out ; felix:lb", verify)).isInstanceOf(RemoteCommand.Answer.class);
        assertThat(RemoteCommand.interpret("offers:other", verify)).isInstanceOf(RemoteCommand.Answer.class);
    }

    @Test
    void aMapResultPrintsAsAlignedColumns() {
        java.util.Map<String, Object> job = new java.util.LinkedHashMap<>();
        job.put("name", "offers");
        job.put("checkpoints.completed", 2);
        job.put("plugins", java.util.List.of("backend heap (a)", "storage file (b)"));
        assertThat(ConsoleEndpoint.aligned(job)).isEqualTo("""
                name                   offers
                checkpoints.completed  2
                plugins                backend heap (a)
                                       storage file (b)""");
    }

    @Test
    void helpListsEveryCommandOrShowsOnesUsage() {
        RemoteCommand.Answer all = answer("help");
        assertThat(all.exit()).isZero();
        RemoteCommand.COMMANDS.forEach(u -> assertThat(all.text()).contains(u.line()));
        assertThat(answer("help job")).isEqualTo(new RemoteCommand.Answer("usage: job <name>\n  one job: state, checkpoints, restarts, records", 0));
        assertThat(answer("help jbos")).extracting(RemoteCommand.Answer::exit).isEqualTo(1);
        assertThat(answer("")).isEqualTo(answer("help"));
    }
}
