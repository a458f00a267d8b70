using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// A real HTTP server on Kestrel at http://127.0.0.1:&lt;free port&gt; that plays a hostile (or internal) one for a
/// client that should not repeat what it says: every request gets <see cref="Status"/> with <see cref="Marker"/> in the
/// reason phrase and in an S3-style XML error body (code and message), or, with <see cref="RedirectTo"/> set, a 307
/// to that URL.
/// </summary>
public sealed class HostileHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private HostileHttpServer(WebApplication app, string marker)
    {
        _app = app;
        Marker = marker;
    }

    public string Marker { get; }

    public int Status { get; set; } = 403;

    /// <summary>When set, every request is answered 307 with this Location.</summary>
    public string? RedirectTo { get; set; }

    public Uri BaseUri { get; private set; } = null!;

    public int Port => BaseUri.Port;

    /// <summary>Requests that reached this server.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<HostileHttpServer> StartAsync(string marker)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new HostileHttpServer(app, marker);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (RedirectTo is { } location)
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = location;
            return;
        }
        context.Response.StatusCode = Status;
        context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = Marker;
        context.Response.ContentType = "application/xml";
        // HEAD answers carry no body; everything else gets the marker in the XML error as well.
        if (!HttpMethods.IsHead(context.Request.Method))
            await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{Marker}</Code><Message>{Marker} internal detail</Message><RequestId>{Marker}</RequestId></Error>");
    }
}
