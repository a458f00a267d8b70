using System.CommandLine;
using BackupFunctions.Core.Keys;

namespace BackupCli.Commands;

/// <summary><c>backupctl key create --out &lt;file&gt;</c>: a new local key file (0600), never overwriting one.</summary>
internal static class KeyCreateCommand
{
    public static Command Create(CliContext context, Option<bool> json)
    {
        var output = new Option<string>("--out", "-o")
        {
            Description = "Where to write the new key file (must not exist).",
            HelpName = "file",
            Required = true,
        };
        var create = new Command("create", "Create a local key file: 32 random bytes, base64, readable by the owner only.") { output };
        create.SetAction(parse => Run(context, parse.GetRequiredValue(output), parse.GetValue(json)));

        return new Command("key", "Manage key-encryption keys.") { create };
    }

    private static int Run(CliContext context, string path, bool json)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full) || Directory.Exists(full))
            throw new UsageException($"--out: '{full}' already exists; refusing to overwrite a key (backups made with it would be lost).");
        if (!Directory.Exists(Path.GetDirectoryName(full)))
            throw new UsageException($"--out: the folder of '{full}' does not exist.");

        LocalKeyFileKek.Create(full);
        var keyId = new LocalKeyFileKek(full).KeyId;
        if (json)
        {
            CliOutput.WriteJson(context, new { keyFile = full, keyId });
        }
        else
        {
            context.Stdout.WriteLine($"Created key file {full} ({keyId}).");
            context.Stdout.WriteLine("Keep a copy somewhere other than the backups: without it they cannot be restored.");
        }
        return ExitCodes.Ok;
    }
}
