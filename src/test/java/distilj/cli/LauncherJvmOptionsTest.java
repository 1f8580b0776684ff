package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relaunched JVM gets the parallel collector and a small young generation unless the user picked them, and
 * transparent huge pages when the kernel offers them and the user said nothing about large pages.
 */
class LauncherJvmOptionsTest {
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

    @Test
    void transparentHugePagesWhenTheKernelOffersThem() {
        String madvise = "always [madvise] never\n", always = "[always] madvise never\n", never = "always madvise [never]\n";
        assertEquals(List.of("-XX:+UseTransparentHugePages"), Launcher.defaultHugePages(List.of(), madvise));
        assertEquals(List.of("-XX:+UseTransparentHugePages"), Launcher.defaultHugePages(List.of("-Xmx3g"), always));
        assertEquals(List.of(), Launcher.defaultHugePages(List.of(), never));
        assertEquals(List.of(), Launcher.defaultHugePages(List.of(), null)); // no such file: not Linux
        assertEquals(List.of(), Launcher.defaultHugePages(List.of("-XX:-UseTransparentHugePages"), madvise));
        assertEquals(List.of(), Launcher.defaultHugePages(List.of("-XX:+UseLargePages"), madvise));
    }

    @Test
    void unsafeMemoryAccessAllowedFromJdk23UnlessTheUserSetIt() {
        String allow = "--sun-misc-unsafe-memory-access=allow";
        assertEquals(List.of(), Launcher.defaultUnsafeAccess(List.of(), 17)); // the option does not exist there
        assertEquals(List.of(), Launcher.defaultUnsafeAccess(List.of(), 22));
        assertEquals(List.of(allow), Launcher.defaultUnsafeAccess(List.of(), 23));
        assertEquals(List.of(allow), Launcher.defaultUnsafeAccess(List.of("-Xmx3g"), 25));
        assertEquals(List.of(), Launcher.defaultUnsafeAccess(List.of("--sun-misc-unsafe-memory-access=deny"), 25));
    }
}
