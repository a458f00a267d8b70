using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Tests.Notifications;

/// <summary>
/// A real HTTP receiver on Kestrel at http://127.0.0.1:&lt;free port&gt;: records every request (headers and the exact
/// body bytes) and answers from a script of status codes (then 200), optionally after a delay.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The URL of a path on this receiver (<c>/hook/...</c>).</summary>
    public string Url(string path = "/hook") => new Uri(BaseUri, path).ToString();

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>How long each answer waits (for timeout tests).</summary>
    public TimeSpan Delay { get; set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return receiver;
    }

    /// <summary>The next requests get these status codes, in order; after them, 200.</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
            _script.Enqueue(status);
    }

    /// <summary>Waits until <paramref name="count"/> requests arrived (or the timeout passed) and returns them.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Requests.Count < count && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        return [.. Requests];
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        Requests.Enqueue(new ReceivedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(),
            DateTimeOffset.UtcNow));
        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        context.Response.StatusCode = _script.TryDequeue(out var status) ? status : 200;
        if (context.Response.StatusCode == 429)
            context.Response.Headers.RetryAfter = "1";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
