package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * docs/operations.md's configuration reference cannot drift from the code: for every subcommand,
 * the table between {@code <!-- options:NAME -->} and {@code <!-- /options:NAME -->} must be the one
 * generated here from picocli's model (flag, environment variable, default, description). When it
 * is not, the test fails and writes every expected table to {@code target/operations-options.md}, to
 * paste over the old ones.
 */
class OperationsDocTest {
    private static final Path DOC = Path.of("..", "docs", "operations.md");
    private static final Pattern ENV_DEFAULT = Pattern.compile("^\\$\\{env:([A-Z0-9_]+)(?::-(.*))?}$");

    /** Every command with options, by its path ("engine", "cluster start"), in the order of the help. */
    static Map<String, CommandSpec> commands() {
        CommandLine root = new CommandLine(new Main()).setInterpolateVariables(false);
        Map<String, CommandSpec> out = new LinkedHashMap<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(CommandLine cl, String prefix, Map<String, CommandSpec> out) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            CommandSpec spec = e.getValue().getCommandSpec();
            if (spec.userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            String path = prefix.isEmpty() ? e.getKey() : prefix + " " + e.getKey();
            out.put(path, spec);
            collect(e.getValue(), path, out);
        }
    }

    /** The reference table of one command. */
    static String table(CommandSpec spec) {
        StringBuilder sb = new StringBuilder("| flag | environment variable | default | meaning |\n|---|---|---|---|\n");
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            String env = "";
            String defaultWords = null;
            String def = o.defaultValue();
            if (def != null) {
                Matcher m = ENV_DEFAULT.matcher(def);
                if (m.matches()) {
                    env = m.group(1);
                    def = m.group(2);
                }
            }
            if (def != null) {
                def = def.replace("${sys:java.io.tmpdir}", "$TMPDIR");
            }
            String meaning = String.join(" ", o.description()).replace("${DEFAULT-VALUE}", def == null ? "" : def)
                    .replaceAll("\\s*\\(env [A-Z0-9_]+\\)", "");
            // a closing "(env X; default: text)" says in words what the columns say; its words fill an empty default
            Matcher tail = Pattern.compile("\\s*\\(((?:env |default)[^()]*)\\)\\.?$").matcher(meaning);
            if (tail.find()) {
                for (String part : tail.group(1).split("; ")) {
                    if (part.startsWith("default: ")) {
                        defaultWords = part.substring("default: ".length());
                    }
                }
                meaning = meaning.substring(0, tail.start()) + ".";
            }
            meaning = meaning.replace("|", "\\|");
            sb.append("| `").append(o.longestName()).append("` | ").append(env.isEmpty() ? "" : "`" + env + "`")
                    .append(" | ").append(def != null && !def.isEmpty() ? "`" + def + "`"
                            : defaultWords != null ? defaultWords : o.arity().max() == 0 ? "off" : "none")
                    .append(" | ").append(meaning).append(" |\n");
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            sb.append("| `").append(p.paramLabel()).append("…` |  |  | ").append(String.join(" ", p.description())
                    .replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    @Test
    void shouldDocumentEveryFlagAndVariableOfEverySubcommandAsTheCodeDefinesThem() throws IOException {
        String doc = Files.readString(DOC);
        StringBuilder expected = new StringBuilder();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, CommandSpec> e : commands().entrySet()) {
            if (e.getValue().options().stream().allMatch(o -> o.usageHelp() || o.versionHelp())
                    && e.getValue().positionalParameters().isEmpty()) {
                continue;
            }
            String name = e.getKey().replace(' ', '-');
            String table = table(e.getValue());
            String block = "<!-- options:" + name + " -->\n" + table + "<!-- /options:" + name + " -->";
            expected.append("### `").append(e.getKey()).append("`\n\n").append(block).append("\n\n");
            if (!doc.contains(block)) {
                wrong.add(e.getKey());
            }
        }
        if (!wrong.isEmpty()) {
            Path out = Path.of("target", "operations-options.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, expected.toString());
            fail("docs/operations.md does not have the current option table of " + wrong
                    + "; the expected tables are in " + out.toAbsolutePath());
        }
        assertThat(commands()).containsKeys("engine", "streams", "edge", "traders", "kafka", "cluster start");
    }

    @Test
    void shouldReadEveryVariableTheComposeStackAndTheLocalClusterSet() throws IOException {
        String doc = Files.readString(DOC);
        for (ClusterTopology.Service s : ClusterTopology.services(ClusterTopology.Settings.defaults(), ClusterTopology.COMPOSE)) {
            for (String variable : s.env().keySet()) {
                assertThat(doc).as(s.name() + " sets " + variable).contains("`" + variable + "`");
            }
        }
    }
}
