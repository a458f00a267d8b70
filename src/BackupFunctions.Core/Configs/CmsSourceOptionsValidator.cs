using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Configs;

/// <summary>Start-up check of the Cms settings, failing with the message that names the setting (<see cref="CmsSourceOptions.Validate"/>).</summary>
public sealed class CmsSourceOptionsValidator : IValidateOptions<CmsSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, CmsSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Validate() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
