using BackupFunctions.Core.Tests.Notifications;

namespace BackupFunctions.Tests.Support;

/// <summary>The app with its drill scratch root in the fixture's folder (so a test can list it) and a webhook receiver.</summary>
public sealed class DrillHostFixture : LocalHostFixture
{
    public WebhookReceiver Receiver { get; private set; } = null!;

    /// <summary>RestoreDrills:ScratchRoot: drills restore the site files under it.</summary>
    public string DrillScratchRoot => Path.Combine(Path.GetDirectoryName(LocalRoot)!, "drill-scratch");

    protected override async Task BeforeStartAsync() => Receiver = await WebhookReceiver.StartAsync();

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
        => settings["RestoreDrills:ScratchRoot"] = DrillScratchRoot;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
