using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Core.Tests.Notifications;

/// <summary>
/// WebhookSender connects through the network policy (a name that resolves inward at delivery time is refused with
/// nothing sent) and reports a failed delivery in its own words, never the receiver's.
/// </summary>
public sealed class WebhookConfinementTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task A_webhook_whose_name_resolves_inward_is_not_called()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = NotificationHarness.Settings();
        settings["Network:AllowedRanges"] = "";
        var sender = NotificationHarness.Build(settings).GetRequiredService<WebhookSender>();

        var delivery = await sender.SendAsync($"http://{RebindingNames.Any()}:{receiver.BaseUri.Port}/hook", null, NotificationHarness.FailedJob(), Ct);

        Assert.False(delivery.Delivered);
        Assert.Contains("network policy", delivery.Error, StringComparison.Ordinal);
        // Refused at once, not retried: the policy would refuse again.
        Assert.Equal(1, delivery.Attempts);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task A_webhook_receiver_s_words_are_not_repeated_in_the_delivery()
    {
        await using var server = await HostileHttpServer.StartAsync("HOOK-MARKER-42");
        server.Status = 400;
        var sender = NotificationHarness.Build(NotificationHarness.Settings()).GetRequiredService<WebhookSender>();

        var delivery = await sender.SendAsync(new Uri(server.BaseUri, "/hook").ToString(), null, NotificationHarness.FailedJob(), Ct);

        Assert.False(delivery.Delivered);
        Assert.Equal("HTTP 400", delivery.Error);
    }
}
