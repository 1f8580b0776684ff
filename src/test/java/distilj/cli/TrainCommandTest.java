package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.optim.AdamW;
import distilj.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
    static TrainCommand parse(String... args) {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void defaultsAreTheSeedRecipe() {
        TrainCommand c = parse();
        TrainConfig t = c.trainConfig();
        assertEquals(2e-5, t.learningRate);
        assertEquals(64, t.batchSize);
        assertEquals(5, t.epochs);
        assertEquals(0.01, t.weightDecay);
        assertEquals(42, t.seed);
        assertEquals(500, t.saveSteps);
        assertEquals(500, t.loggingSteps);
        assertEquals(1.0, t.maxGradNorm);
        assertEquals(0, t.warmupSteps);
        assertEquals(AdamW.Variant.TORCH, t.optimizer);
        assertEquals(670, t.totalSteps(134));
        assertEquals("rotten_tomatoes", c.data.dataset);
        assertEquals("test", c.data.eval);
        assertNull(c.resumeCheckpoint());
    }

    @Test
    void flagsReachTheConfig() {
        TrainConfig t = parse("--lr", "1e-4", "--batch-size", "32", "--epochs", "2", "--weight-decay", "0",
                "--seed", "7", "--save-steps", "100", "--max-steps", "250", "--optimizer", "adamw_legacy",
                "--warmup-steps", "10").trainConfig();
        assertEquals(1e-4, t.learningRate);
        assertEquals(32, t.batchSize);
        assertEquals(0.0, t.weightDecay);
        assertEquals(7, t.seed);
        assertEquals(100, t.saveSteps);
        assertEquals(250, t.totalSteps(134));
        assertEquals(2, t.epochsFor(134));
        assertEquals(AdamW.Variant.LEGACY, t.optimizer);
        assertEquals(10, t.warmupSteps);
    }

    @Test
    void badValuesAreUsageErrors() {
        assertThrows(Cli.UsageException.class, () -> parse("--batch-size", "0").trainConfig());
        assertThrows(Cli.UsageException.class, () -> parse("--lr", "-1").trainConfig());
        assertThrows(Cli.UsageException.class, () -> parse("--optimizer", "sgd").trainConfig());
        assertThrows(Cli.UsageException.class, () -> parse("--max-steps", "0").trainConfig());
    }

    @Test
    void bareResumePicksTheLatestCompleteCheckpoint(@TempDir Path out) throws Exception {
        for (int n : new int[] {500, 1000, 20}) {
            Files.createDirectories(out.resolve("checkpoint-" + n));
            Files.writeString(out.resolve("checkpoint-" + n).resolve("trainer_state.json"), "{}");
        }
        Files.createDirectories(out.resolve("checkpoint-1500.tmp")); // interrupted save
        Files.createDirectories(out.resolve("checkpoint-2000"));    // no trainer_state.json: incomplete
        assertEquals(out.resolve("checkpoint-1000"), parse("--output", out.toString(), "--resume").resumeCheckpoint());
        assertEquals(out.resolve("checkpoint-20"),
                parse("--resume", out.resolve("checkpoint-20").toString()).resumeCheckpoint());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--resume", out.resolve("checkpoint-2000").toString()).resumeCheckpoint());
        assertTrue(e.getMessage().contains("not a complete checkpoint"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> parse("--output", out.resolve("empty").toString(), "--resume").resumeCheckpoint());
    }
}
