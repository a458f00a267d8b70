using System.Text.Json;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Notifications;

public sealed class NotificationSetupTests
{
    private const string Secret = "the-webhook-secret-1234567890";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly string Key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static NotificationSetup Setup(string sealingKey = "", string smtpHost = "smtp.example.com", Dictionary<string, string>? settings = null) =>
        new(new SecretSealer(sealingKey.Length > 0 ? sealingKey : Key, TestSecretReferences.With([.. (settings ?? []).Select(s => (s.Key, s.Value))])),
            Options.Create(new NotificationOptions { Smtp = new SmtpOptions { Host = smtpHost } }));

    [Fact]
    public void A_secret_value_is_sealed_and_the_stored_json_holds_neither_it_nor_the_input_form()
    {
        var setup = Setup();
        var config = new NotificationConfig { Webhooks = [new WebhookChannel { Url = "https://hooks.example.com/x", Secret = new SecretValue { Value = Secret } }] };

        var (stored, errors) = setup.Prepare(config);

        Assert.Empty(errors);
        var webhook = Assert.Single(stored!.Webhooks);
        Assert.Null(webhook.Secret);
        Assert.StartsWith("sealed:v1:", webhook.ProtectedSecret, StringComparison.Ordinal);
        var json = JsonSerializer.Serialize(stored, Web);
        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"secret\"", json, StringComparison.Ordinal);

        // Round trip through JSON, as the catalog row does, then reveal.
        var read = JsonSerializer.Deserialize<NotificationConfig>(json, Web)!;
        Assert.Equal(Secret, setup.RevealSecret(read.Webhooks[0]));
        Assert.True(NotificationSetup.IsSigned(read.Webhooks[0]));
        Assert.Null(NotificationSetup.SecretSetting(read.Webhooks[0]));
    }

    [Fact]
    public void A_sealed_secret_moved_to_another_url_does_not_open()
    {
        var setup = Setup();
        var (stored, _) = setup.Prepare(new NotificationConfig
        {
            Webhooks = [new WebhookChannel { Url = "https://hooks.example.com/x", Secret = new SecretValue { Value = Secret } }],
        });

        var moved = stored!.Webhooks[0] with { Url = "https://attacker.example.net/x" };

        var e = Assert.Throws<InvalidOperationException>(() => setup.RevealSecret(moved));
        Assert.Contains("does not open", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_setting_reference_is_kept_as_a_reference_and_read_when_used()
    {
        var setup = Setup(settings: new() { ["BackupSecrets:HOOK_SECRET"] = Secret });

        var (stored, errors) = setup.Prepare(new NotificationConfig
        {
            Webhooks = [new WebhookChannel { Url = "https://hooks.example.com/x", Secret = new SecretValue { Setting = "BackupSecrets__HOOK_SECRET" } }],
        });

        Assert.Empty(errors);
        Assert.Equal("setting:BackupSecrets__HOOK_SECRET", stored!.Webhooks[0].ProtectedSecret);
        Assert.Equal("BackupSecrets__HOOK_SECRET", NotificationSetup.SecretSetting(stored.Webhooks[0]));
        Assert.Equal(Secret, setup.RevealSecret(stored.Webhooks[0]));
    }

    [Theory]
    [InlineData("setting:Secrets:SealingKey", null)]
    [InlineData("setting:HOOK_SECRET", null)]
    [InlineData(null, "Secrets:SealingKey")]
    public void A_stored_reference_outside_BackupSecrets_is_not_read_even_when_the_setting_exists(string? protectedSecret, string? setting)
    {
        // A config stored before the rule (or written around the API): its reference names an app setting that exists.
        var setup = Setup(settings: new() { ["Secrets:SealingKey"] = Key, ["HOOK_SECRET"] = Secret });
        var webhook = new WebhookChannel
        {
            Url = "https://hooks.example.com/x",
            ProtectedSecret = protectedSecret,
            Secret = setting is null ? null : new SecretValue { Setting = setting },
        };

        var e = Assert.Throws<InvalidOperationException>(() => setup.RevealSecret(webhook));

        Assert.Contains("BackupSecrets__NAME", e.Message, StringComparison.Ordinal);
        Assert.Contains("post the config", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_sealing_key_a_value_is_refused_naming_the_field()
    {
        var setup = new NotificationSetup(new SecretSealer("", TestSecretReferences.None), Options.Create(new NotificationOptions()));

        var (stored, errors) = setup.Prepare(new NotificationConfig
        {
            Webhooks = [new WebhookChannel { Url = "https://hooks.example.com/x", Secret = new SecretValue { Value = Secret } }],
        });

        Assert.Null(stored);
        Assert.Contains("Secrets:SealingKey", Assert.Single(errors["notifications.webhooks[0].secret"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Email_is_refused_when_the_app_has_no_smtp_server()
    {
        var (stored, errors) = Setup(smtpHost: "").Prepare(new NotificationConfig { Email = new EmailChannel { To = ["ops@example.com"] } });

        Assert.Null(stored);
        Assert.Contains("Notifications:Smtp:Host", Assert.Single(errors["notifications.email"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.example.com/x?token=abc", "https://hooks.example.com/x?…", "https://hooks.example.com")]
    [InlineData("http://127.0.0.1:5000/a/b", "http://127.0.0.1:5000/a/b", "http://127.0.0.1:5000")]
    public void Urls_are_shown_without_query_and_logged_without_path(string url, string shown, string logged)
    {
        Assert.Equal(shown, NotificationSetup.ShownUrl(url));
        Assert.Equal(logged, NotificationSetup.LoggedUrl(url));
    }
}
