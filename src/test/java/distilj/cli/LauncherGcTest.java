package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The relaunched JVM gets the parallel collector and a small young generation unless the user picked them. */
class LauncherGcTest {
    @Test
    void parallelGcUnlessTheUserChoseACollector() {
        assertEquals(List.of("-XX:+UseParallelGC", "-Xmn64m"), Launcher.defaultGc(List.of()));
        assertEquals(List.of("-XX:+UseParallelGC", "-Xmn64m"), Launcher.defaultGc(List.of("-Xmx3g", "-Dx=GC")));
        assertEquals(List.of("-XX:+UseParallelGC"), Launcher.defaultGc(List.of("-Xmn300m")));
        assertEquals(List.of("-XX:+UseParallelGC"), Launcher.defaultGc(List.of("-XX:MaxNewSize=1g")));
        assertEquals(List.of(), Launcher.defaultGc(List.of("-XX:+UseG1GC")));
        assertEquals(List.of(), Launcher.defaultGc(List.of("-Xmx1g", "-XX:+UseZGC")));
        assertEquals(List.of(), Launcher.defaultGc(List.of("-XX:+UseSerialGC")));
    }
}
