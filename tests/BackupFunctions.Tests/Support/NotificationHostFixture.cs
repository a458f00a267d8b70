using BackupFunctions.Core.Tests.Notifications;

namespace BackupFunctions.Tests.Support;

/// <summary>The app with notifications on: a real HTTP receiver on 127.0.0.1 and the real SMTP sink (STARTTLS, pinned certificate).</summary>
public sealed class NotificationHostFixture : LocalHostFixture
{
    public WebhookReceiver Receiver { get; private set; } = null!;

    protected override async Task BeforeStartAsync() => Receiver = await WebhookReceiver.StartAsync();

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        foreach (var (name, value) in NotificationHarness.Settings())
            settings[name] = value;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
