using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BackupFunctions.Core.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Core.Tests.Notifications;

/// <summary>WebhookSender against a real HTTP receiver on 127.0.0.1.</summary>
public sealed class WebhookSenderTests : IAsyncLifetime
{
    private const string Secret = "a-webhook-secret-of-32-characters";
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static WebhookSender Sender(Action<Dictionary<string, string?>>? change = null)
    {
        var settings = NotificationHarness.Settings();
        change?.Invoke(settings);
        return NotificationHarness.Build(settings).GetRequiredService<WebhookSender>();
    }

    [Fact]
    public async Task Posts_the_event_as_json_signed_over_timestamp_and_exact_body()
    {
        var notification = NotificationHarness.FailedJob();

        var delivery = await Sender().SendAsync(_receiver.Url("/hook?token=abc"), Secret, notification, default);

        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal(1, delivery.Attempts);
        Assert.Equal(_receiver.BaseUri.GetLeftPart(UriPartial.Authority), delivery.Target);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook?token=abc", request.PathAndQuery);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("backup.failed", request.Header("X-BackupFunctions-Event"));
        Assert.Equal("job-1:backup.failed", request.Header("X-BackupFunctions-Delivery"));

        var json = request.Json;
        Assert.Equal("backup.failed", json.GetProperty("event").GetString());
        Assert.Equal("job-1:backup.failed", json.GetProperty("id").GetString());
        Assert.Equal("cfg-1", json.GetProperty("configId").GetString());
        Assert.Equal("blog", json.GetProperty("configName").GetString());
        Assert.Equal("job-1", json.GetProperty("jobId").GetString());
        Assert.Equal("failed", json.GetProperty("status").GetString());
        Assert.Equal("DumpDatabase failed: connection refused", json.GetProperty("error").GetString());
        Assert.Equal(60, json.GetProperty("durationSeconds").GetDouble());
        Assert.Equal("https://backups.example.test/api/backup-jobs/job-1", json.GetProperty("links").GetProperty("job").GetString());
        Assert.False(json.TryGetProperty("level", out _));

        // The receiver's check, recomputed here from the raw bytes: HMAC-SHA256(secret, "{timestamp}." + body).
        var timestamp = request.Header("X-BackupFunctions-Timestamp")!;
        var expected = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Secret), (byte[])[.. System.Text.Encoding.ASCII.GetBytes(timestamp + "."), .. request.Body]));
        Assert.Equal(expected, request.Header("X-BackupFunctions-Signature"));
        Assert.InRange(long.Parse(timestamp, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(WebhookSignature.Verify(Secret, timestamp, request.Header("X-BackupFunctions-Signature"), request.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Without_a_secret_nothing_is_signed()
    {
        var delivery = await Sender().SendAsync(_receiver.Url(), null, NotificationHarness.FailedJob(), default);

        Assert.True(delivery.Delivered);
        var request = Assert.Single(_receiver.Requests);
        Assert.Null(request.Header("X-BackupFunctions-Signature"));
        Assert.Null(request.Header("X-BackupFunctions-Timestamp"));
    }

    [Fact]
    public async Task Retries_after_500_and_429_then_delivers_the_same_body_each_time_with_a_valid_signature()
    {
        _receiver.AnswerNext(500, 503, 429);

        var delivery = await Sender().SendAsync(_receiver.Url(), Secret, NotificationHarness.FailedJob(), default);

        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal(4, delivery.Attempts);
        var requests = _receiver.Requests.ToList();
        Assert.Equal(4, requests.Count);
        Assert.All(requests, r => Assert.Equal(requests[0].Body, r.Body));
        Assert.All(requests, r => Assert.True(WebhookSignature.Verify(
            Secret, r.Header("X-BackupFunctions-Timestamp"), r.Header("X-BackupFunctions-Signature"), r.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5))));
        // 429 came with Retry-After: 1, which the sender honours instead of its 50 ms backoff.
        Assert.True(requests[3].ReceivedAt - requests[2].ReceivedAt >= TimeSpan.FromSeconds(0.9), "Retry-After was not honoured");
    }

    [Fact]
    public async Task Gives_up_after_the_configured_retries_and_reports_the_last_status()
    {
        _receiver.AnswerNext(500, 500, 500, 500, 500);

        var delivery = await Sender().SendAsync(_receiver.Url(), Secret, NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Equal(4, delivery.Attempts);
        Assert.Equal(4, _receiver.Requests.Count);
        Assert.Contains("HTTP 500", delivery.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(410)]
    public async Task Never_retries_a_4xx_other_than_429(int status)
    {
        _receiver.AnswerNext(status);

        var delivery = await Sender().SendAsync(_receiver.Url(), Secret, NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Equal(1, delivery.Attempts);
        Assert.Single(_receiver.Requests);
        Assert.Contains($"HTTP {status}", delivery.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Does_not_follow_a_redirect()
    {
        _receiver.AnswerNext(307);

        var delivery = await Sender().SendAsync(_receiver.Url(), Secret, NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Single(_receiver.Requests);
        Assert.Contains("redirects are not followed", delivery.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receiver_slower_than_the_timeout_fails_the_delivery_after_its_retries()
    {
        _receiver.Delay = TimeSpan.FromSeconds(10);
        var sender = Sender(s =>
        {
            s["Notifications:Webhooks:TimeoutSeconds"] = "1";
            s["Notifications:Webhooks:Retries"] = "1";
        });

        var watch = Stopwatch.StartNew();
        var delivery = await sender.SendAsync(_receiver.Url(), Secret, NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Equal(2, delivery.Attempts);
        Assert.Contains("no answer within 1 s", delivery.Error, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task A_receiver_that_is_down_is_a_failed_delivery_not_an_exception()
    {
        var port = FreePort();

        var delivery = await Sender().SendAsync($"http://127.0.0.1:{port}/hook", Secret, NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Equal(4, delivery.Attempts);
        Assert.Contains("ConnectionError", delivery.Error, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
