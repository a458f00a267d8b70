using BackupFunctions.Core.Notifications;

namespace BackupFunctions.Core.Tests.Notifications;

public sealed class NotificationOptionsValidatorTests
{
    private static IReadOnlyList<string> Problems(Action<NotificationOptions> change, Func<string, string?>? settings = null)
    {
        var options = new NotificationOptions
        {
            Smtp = new SmtpOptions { Host = "smtp.example.com", From = "backups@example.com" },
        };
        change(options);
        var result = new NotificationOptionsValidator(settings ?? (_ => null)).Validate(null, options);
        return result.Failed ? [.. result.Failures] : [];
    }

    [Fact]
    public void Defaults_with_a_host_and_a_sender_are_valid() => Assert.Empty(Problems(_ => { }));

    [Fact]
    public void No_host_turns_email_off_and_skips_its_checks() => Assert.Empty(Problems(o => o.Smtp = new SmtpOptions { Port = 0, From = "" }));

    [Theory]
    [InlineData("smtp.example.com", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    public void Security_none_only_for_loopback(string host, bool valid)
    {
        var problems = Problems(o =>
        {
            o.Smtp.Host = host;
            o.Smtp.Security = SmtpSecurity.None;
        });

        Assert.Equal(valid, problems.Count == 0);
        if (!valid)
            Assert.Contains("Notifications:Smtp:Security None", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "", "Notifications:Smtp:PasswordSetting (or Notifications:Smtp:Password) too")]
    [InlineData("SMTP_PASSWORD", "", "'SMTP_PASSWORD', which is not set")]
    [InlineData("hunter2 is the password", "", "NAME of an app setting")]
    public void A_username_needs_a_password(string passwordSetting, string password, string problem)
    {
        var problems = Problems(o =>
        {
            o.Smtp.Username = "mailer";
            o.Smtp.PasswordSetting = passwordSetting;
            o.Smtp.Password = password;
        });

        Assert.Contains(problem, Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_setting_that_is_set_is_fine() =>
        Assert.Empty(Problems(o =>
        {
            o.Smtp.Username = "mailer";
            o.Smtp.PasswordSetting = "SMTP_PASSWORD";
        }, name => name == "SMTP_PASSWORD" ? "secret" : null));

    [Theory]
    [InlineData("Notifications:Smtp:From")]
    [InlineData("Notifications:Smtp:CertificateSha256")]
    [InlineData("Notifications:Smtp:Port")]
    [InlineData("Notifications:Webhooks:Retries")]
    [InlineData("Notifications:Webhooks:TimeoutSeconds")]
    [InlineData("Notifications:ApiBaseUrl")]
    public void Each_bad_setting_is_named(string setting)
    {
        var problems = Problems(o =>
        {
            switch (setting)
            {
                case "Notifications:Smtp:From": o.Smtp.From = "Backups <backups@example.com>"; break;
                case "Notifications:Smtp:CertificateSha256": o.Smtp.CertificateSha256 = "abcd"; break;
                case "Notifications:Smtp:Port": o.Smtp.Port = 70000; break;
                case "Notifications:Webhooks:Retries": o.Webhooks.Retries = 11; break;
                case "Notifications:Webhooks:TimeoutSeconds": o.Webhooks.TimeoutSeconds = 0; break;
                default: o.ApiBaseUrl = "backups.example.com"; break;
            }
        });

        Assert.StartsWith(setting, Assert.Single(problems), StringComparison.Ordinal);
    }
}
