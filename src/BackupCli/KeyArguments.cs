using System.CommandLine;
using Azure.Identity;
using BackupFunctions.Core.Keys;

namespace BackupCli;

/// <summary>The key options every command that needs the key-encryption key shares; exactly one may be given.</summary>
internal sealed class KeyArguments
{
    public Option<string?> KeyFile { get; } = new("--key-file")
    {
        Description = "Local key file (32 random bytes, base64) made by 'backupctl key create'.",
        HelpName = "file",
    };

    public Option<string?> PassphraseEnv { get; } = new("--passphrase-env")
    {
        Description = "Name of the environment variable holding the passphrase (never the passphrase itself).",
        HelpName = "VAR",
    };

    public Option<string?> KeyVaultKey { get; } = new("--key-vault-key")
    {
        Description = "Azure Key Vault key URL https://<vault>.vault.azure.net/keys/<name>[/<version>] (DefaultAzureCredential).",
        HelpName = "key url",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(KeyFile);
        command.Options.Add(PassphraseEnv);
        command.Options.Add(KeyVaultKey);
    }

    /// <summary>The key the options name; null when none was given. More than one, or a bad one, is a usage error.</summary>
    public IKeyEncryptionKey? Resolve(ParseResult parse, CliContext context)
    {
        var file = parse.GetValue(KeyFile);
        var variable = parse.GetValue(PassphraseEnv);
        var url = parse.GetValue(KeyVaultKey);
        if (new[] { file, variable, url }.Count(v => v is not null) > 1)
            throw new UsageException("give only one of --key-file, --passphrase-env and --key-vault-key.");

        if (file is not null)
        {
            try
            {
                return new LocalKeyFileKek(file);
            }
            catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or UnauthorizedAccessException or IOException)
            {
                throw new UsageException($"--key-file: {ex.Message}", ex);
            }
        }

        if (variable is not null)
        {
            var passphrase = context.GetEnvironmentVariable(variable)
                ?? throw new UsageException($"--passphrase-env: the environment variable {variable} is not set or empty.");
            return new PassphraseKek(passphrase);
        }

        if (url is not null)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var keyUrl) || keyUrl.Scheme != Uri.UriSchemeHttps)
                throw new UsageException($"--key-vault-key '{url}' is not an https:// Key Vault key URL (https://<vault>.vault.azure.net/keys/<name>[/<version>]).");
            return new KeyVaultKek(keyUrl, new DefaultAzureCredential());
        }

        return null;
    }

    /// <summary>As <see cref="Resolve"/>, but one key option is required for <paramref name="purpose"/>.</summary>
    public IKeyEncryptionKey Require(ParseResult parse, CliContext context, string purpose)
        => Resolve(parse, context)
           ?? throw new UsageException($"{purpose} needs the key: give --key-file, --passphrase-env or --key-vault-key.");
}
