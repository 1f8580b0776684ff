package distilj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The product uses one vector species, {@code FloatVector.SPECIES_PREFERRED} (and its same-width int reinterpretation),
 * and no other shape or element type. Why a test: on JDK 17, once a second float species has run anywhere in the
 * process (the gradient norm once widened 256-bit float vectors to doubles), C2 compiled the GELU and softmax loops with
 * their vectors boxed on the heap — ≈ 0.5 GB of garbage and a 2–3× slower GELU per training step — and no functional test
 * can see that. This reads the sources and names any line that brings in another species.
 */
class OneSpeciesTest {
    private static final Pattern OTHER = Pattern.compile(
            "SPECIES_(64|128|256|512|MAX)|VectorSpecies\\.of|VectorShape|(Double|Long|Short|Byte)Vector\\b"
                    + "|SPECIES_PREFERRED");

    @Test
    void onlyThePreferredFloatSpecies() throws IOException {
        Path main = Path.of("src/main/java");
        assertTrue(Files.isDirectory(main), "run from the project directory: no " + main.toAbsolutePath());
        List<String> offending = new ArrayList<>();
        int preferred = 0;
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    if (line.trim().startsWith("//") || line.trim().startsWith("*") || line.startsWith("import ")) continue;
                    Matcher m = OTHER.matcher(line);
                    while (m.find()) {
                        if (m.group().equals("SPECIES_PREFERRED") && line.contains("FloatVector.SPECIES_PREFERRED")) {
                            preferred++;
                        } else {
                            offending.add(f + ":" + (i + 1) + ": " + line.trim());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), offending, "another vector species in the product");
        assertTrue(preferred > 0, "found no FloatVector.SPECIES_PREFERRED at all: is this reading the right sources?");
    }
}
