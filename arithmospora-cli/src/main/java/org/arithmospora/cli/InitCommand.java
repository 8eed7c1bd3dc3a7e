package org.arithmospora.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code arithmospora init [FILE]}: writes the annotated sample configuration to start from. */
@Command(
    name = "init",
    description = {
      "Write an annotated configuration (every key, with its default and meaning) to FILE,"
          + " to edit and then 'arithmospora check -c FILE'."
    })
final class InitCommand extends ArithmosporaCommand {
  /** The sample, bundled from docs/arithmospora.conf.sample. */
  static final String SAMPLE = "/arithmospora.conf.sample";

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE",
      defaultValue = "arithmospora.conf",
      description = "Where to write it (default: ${DEFAULT-VALUE}).")
  Path file;

  @Option(names = "--force", description = "Overwrite FILE if it exists.")
  boolean force;

  @Override
  public Integer call() {
    try (InputStream sample = InitCommand.class.getResourceAsStream(SAMPLE)) {
      if (sample == null) {
        return failure("the sample configuration is missing from this build");
      }
      if (force) {
        Files.copy(sample, file, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.copy(sample, file);
      }
    } catch (FileAlreadyExistsException e) {
      return usageError(file + " exists; --force overwrites it");
    } catch (IOException e) {
      return failure("cannot write " + file + ": " + e);
    }
    out.println("Wrote " + file + ". Edit it, then: arithmospora check -c " + file);
    return 0;
  }
}
