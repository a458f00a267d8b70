using Amazon.Runtime;
using BackupFunctions.Core.Network;

namespace BackupFunctions.Core.Storage.S3;

/// <summary>
/// The one HttpClient of an <see cref="S3Store"/>, whose every connection is made by the <see cref="NetworkPolicy"/>:
/// the endpoint's name is resolved and judged at each connect (DNS rebinding is caught), and so is the host of a
/// redirect the SDK follows (its RedirectHandler re-sends 307s through this client) and every retry the SDK makes.
/// </summary>
/// <remarks>
/// Not cached by the SDK (its cache is process-wide and keyed by config values, so two stores with different
/// policies could share a client): the store owns the client and disposes it. No proxy: a proxy would connect to the
/// endpoint on our behalf, unjudged.
/// </remarks>
internal sealed class PolicyHttpClientFactory : HttpClientFactory, IDisposable
{
    private readonly HttpClient _client;

    public PolicyHttpClientFactory(NetworkPolicy network, TimeSpan connectTimeout, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(network);
        _client = new HttpClient(new SmallBodyExpectHandler(new SocketsHttpHandler
        {
            ConnectCallback = network.ConnectHttpAsync,
            ConnectTimeout = connectTimeout,
            UseProxy = false,
            // The SDK handles the redirects S3 uses (307 to another endpoint of the bucket) itself, through this client.
            AllowAutoRedirect = false,
            // A long-lived store re-resolves the endpoint now and then (and judges the new address).
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // The SDK sends puts with "Expect: 100-continue" (those over 1 KiB: SmallBodyExpectHandler). A server that
            // refuses one (403, a failed precondition, a lock) answers without asking for the body, and then expects
            // the next request on that connection; after .NET's default 1 s wait (a loaded machine, a slow server) the
            // body goes out anyway and is read as the next request's header (Ceph RGW: "failed to read header: bad
            // method", a 400 without an error code for whatever request comes next). Servers that take the body
            // answer 100 as soon as the request is authorized, so a longer wait costs nothing there.
            Expect100ContinueTimeout = TimeSpan.FromSeconds(10),
        }))
        {
            Timeout = requestTimeout,
        };
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => _client;

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public void Dispose() => _client.Dispose();
}
