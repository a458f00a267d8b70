using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Secrets;

namespace BackupFunctions.Core.Tests.Notifications;

public sealed class NotificationConfigValidatorTests
{
    private static Dictionary<string, List<string>> Errors(NotificationConfig config)
    {
        var errors = new Dictionary<string, List<string>>();
        NotificationConfigValidator.Validate(config, (field, message) =>
        {
            if (!errors.TryGetValue(field, out var list))
                errors[field] = list = [];
            list.Add(message);
        });
        return errors;
    }

    [Theory]
    [InlineData("https://hooks.example.com/backup", null)]
    [InlineData("https://hooks.example.com:8443/backup?token=x", null)]
    [InlineData("http://127.0.0.1:5000/hook", null)]
    [InlineData("http://localhost/hook", null)]
    [InlineData("http://[::1]:8080/hook", null)]
    [InlineData("http://hooks.example.com/backup", "must use https")]
    [InlineData("http://10.0.0.5/backup", "must use https")]
    [InlineData("ftp://hooks.example.com/x", "must use https")]
    [InlineData("hooks.example.com/backup", "absolute https URL")]
    [InlineData("", "absolute https URL")]
    [InlineData("https://user:pass@hooks.example.com/x", "user name or password")]
    [InlineData("https://169.254.169.254/metadata", "link-local")]
    [InlineData("https://[fe80::1]/x", "link-local")]
    public void Webhook_urls(string url, string? problem)
    {
        var errors = Errors(new NotificationConfig { Webhooks = [new WebhookChannel { Url = url }] });

        if (problem is null)
            Assert.Empty(errors);
        else
            Assert.Contains(problem, Assert.Single(errors["notifications.webhooks[0].url"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a-secret-of-sixteen", null, null)]
    [InlineData("too-short", null, "16 to 1024 characters")]
    [InlineData(null, "BackupSecrets__BLOG_WEBHOOK_SECRET", null)]
    [InlineData(null, "not a setting name!", "names an app setting BackupSecrets__NAME")]
    [InlineData(null, "BLOG_WEBHOOK_SECRET", "names an app setting BackupSecrets__NAME")]
    [InlineData(null, "Keys:TransitKey", "names an app setting BackupSecrets__NAME")]
    public void Webhook_secrets(string? value, string? setting, string? problem)
    {
        var errors = Errors(new NotificationConfig
        {
            Webhooks = [new WebhookChannel { Url = "https://hooks.example.com/x", Secret = new SecretValue { Value = value, Setting = setting } }],
        });

        if (problem is null)
            Assert.Empty(errors);
        else
            Assert.Contains(problem, Assert.Single(errors["notifications.webhooks[0].secret"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_posted_protected_secret_must_have_a_protected_form()
    {
        var errors = Errors(new NotificationConfig
        {
            Webhooks =
            [
                new WebhookChannel { Url = "https://a.example.com/x", ProtectedSecret = "plain-text-secret-value" },
                new WebhookChannel { Url = "https://b.example.com/x", ProtectedSecret = "setting:BackupSecrets__HOOK_SECRET" },
            ],
        });

        Assert.Equal(["notifications.webhooks[0].protectedSecret"], errors.Keys);
    }

    [Theory]
    [InlineData("setting:Keys:TransitKey")]
    [InlineData("setting:Secrets:SealingKey")]
    [InlineData("setting:AzureWebJobsStorage")]
    [InlineData("setting:HOOK_SECRET")]
    public void A_posted_protected_secret_may_not_reference_a_setting_outside_BackupSecrets(string protectedSecret)
    {
        var errors = Errors(new NotificationConfig
        {
            Webhooks = [new WebhookChannel { Url = "https://a.example.com/x", ProtectedSecret = protectedSecret }],
        });

        Assert.Equal(["notifications.webhooks[0].protectedSecret"], errors.Keys);
    }

    [Theory]
    [InlineData(new[] { "ops@example.com" }, null, null)]
    [InlineData(new[] { "ops@example.com", "dev@example.org" }, null, null)]
    [InlineData(new string[0], "notifications.email.to", "at least one")]
    [InlineData(new[] { "not an address" }, "notifications.email.to[0]", "plain e-mail address")]
    [InlineData(new[] { "ops@example.com", "Ops <ops@example.com>" }, "notifications.email.to[1]", "plain e-mail address")]
    [InlineData(new[] { "ops@example.com\r\nBcc: x@evil.test" }, "notifications.email.to[0]", "plain e-mail address")]
    public void Email_recipients(string[] to, string? field, string? problem)
    {
        var errors = Errors(new NotificationConfig { Email = new EmailChannel { To = to } });

        if (field is null)
            Assert.Empty(errors);
        else
            Assert.Contains(problem!, Assert.Single(errors[field]), StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_webhooks_and_recipients()
    {
        var errors = Errors(new NotificationConfig
        {
            Webhooks = [.. Enumerable.Range(0, 6).Select(i => new WebhookChannel { Url = $"https://h{i}.example.com/" })],
            Email = new EmailChannel { To = [.. Enumerable.Range(0, 21).Select(i => $"u{i}@example.com")] },
        });

        Assert.Equal(["notifications.email.to", "notifications.webhooks"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_config_validator_reports_notification_errors_by_path()
    {
        var config = new Core.Configs.BackupConfig
        {
            Name = "blog",
            Files = new Core.Configs.FilesSource { Root = "/srv/site" },
            Schedule = new Core.Configs.BackupSchedule { Frequency = "manual" },
            Storage = new Core.Configs.StorageDestination { Type = "local", Path = "x" },
            Notifications = new NotificationConfig { Webhooks = [new WebhookChannel { Url = "http://example.com/" }] },
        };

        var errors = Core.Configs.BackupConfigValidator.Validate(config);

        Assert.Equal(["notifications.webhooks[0].url"], errors.Keys);
    }
}
