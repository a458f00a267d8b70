using BackupFunctions.Core.Configs;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Notifications;

/// <summary>Start-up check of <see cref="NotificationOptions"/>; each message names the setting.</summary>
public sealed class NotificationOptionsValidator(Func<string, string?> setting) : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private IEnumerable<string> Problems(NotificationOptions options)
    {
        const string N = NotificationOptions.SectionName;
        if (options.ApiBaseUrl.Length > 0
            && !(Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var baseUrl) && (baseUrl.Scheme == Uri.UriSchemeHttps || baseUrl.Scheme == Uri.UriSchemeHttp)))
            yield return $"{N}:ApiBaseUrl must be the app's absolute http(s) address, or empty.";

        var hooks = options.Webhooks;
        if (hooks.TimeoutSeconds is not (>= 1 and <= 120))
            yield return $"{N}:Webhooks:TimeoutSeconds must be 1-120.";
        if (hooks.Retries is < 0 or > 10)
            yield return $"{N}:Webhooks:Retries must be 0-10.";
        if (hooks.RetryDelaySeconds is not (> 0 and <= 60))
            yield return $"{N}:Webhooks:RetryDelaySeconds must be more than 0 and at most 60.";

        var smtp = options.Smtp;
        if (smtp.Host.Length == 0)
            yield break;
        const string S = N + ":Smtp";
        if (smtp.Port is < 1 or > 65535)
            yield return $"{S}:Port must be 1-65535.";
        if (!Enum.IsDefined(smtp.Security))
            yield return $"{S}:Security must be StartTls, SslOnConnect or None.";
        if (smtp.Security == SmtpSecurity.None && !NotificationConfigValidator.IsLoopback(smtp.Host))
            yield return $"{S}:Security None (no TLS) is allowed only for a server on localhost/127.0.0.1; use StartTls or SslOnConnect.";
        if (!NotificationConfigValidator.IsPlainAddress(smtp.From))
            yield return $"{S}:From must be the sender's plain e-mail address (e.g. backups@example.com).";
        if (smtp.Username.Length > 0)
        {
            if (smtp.PasswordSetting.Length > 0)
            {
                if (!SettingNames.IsValid(smtp.PasswordSetting))
                    yield return $"{S}:PasswordSetting must be the NAME of an app setting (letters, digits, _ : . -), not the password.";
                else if (string.IsNullOrEmpty(setting(smtp.PasswordSetting)))
                    yield return $"{S}:PasswordSetting names the app setting '{smtp.PasswordSetting}', which is not set.";
            }
            else if (smtp.Password.Length == 0)
                yield return $"{S}:Username is set: set {S}:PasswordSetting (or {S}:Password) too.";
            if (smtp.Security == SmtpSecurity.None)
                yield return $"{S}:Username with Security None would send the password in the clear; use StartTls.";
        }
        if (smtp.CertificateSha256.Length > 0 && CertificatePins.Parse(smtp.CertificateSha256) is null)
            yield return $"{S}:CertificateSha256 must be a SHA-256 fingerprint: 64 hex digits (colons allowed).";
        if (smtp.TimeoutSeconds is not (>= 1 and <= 300))
            yield return $"{S}:TimeoutSeconds must be 1-300.";
        if (smtp.Retries is < 0 or > 5)
            yield return $"{S}:Retries must be 0-5.";
        if (smtp.RetryDelaySeconds is not (> 0 and <= 60))
            yield return $"{S}:RetryDelaySeconds must be more than 0 and at most 60.";
    }
}
