using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Keys;

/// <summary>Start-up check of <see cref="KeyOptions"/> (<see cref="KeyEncryptionKeys.Validate"/>), with the message naming the settings.</summary>
internal sealed class KeyOptionsValidator(Func<string, string?> setting) : IValidateOptions<KeyOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyOptions options) =>
        KeyEncryptionKeys.Validate(options, setting) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
