using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// Serves one fixed HTML page on 127.0.0.1 (a free port) for the first-paint floor: the cheapest answer an HTTP page
/// can get on this machine, to set beside the dashboard's.
/// </summary>
sealed class OneLinePageServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _page;

    private OneLinePageServer(string html, int port)
    {
        _page = Encoding.UTF8.GetBytes(html);
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
    }

    public string Url { get; }

    public static OneLinePageServer Start(string html)
    {
        // HttpListener takes no port 0: borrow a free one from the kernel first.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var server = new OneLinePageServer(html, port);
        server._listener.Start();
        _ = server.ServeAsync();
        return server;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var response = context.Response;
            if (context.Request.Url?.AbsolutePath == "/")
            {
                response.ContentType = "text/html; charset=utf-8";
                response.ContentLength64 = _page.Length;
                await response.OutputStream.WriteAsync(_page);
            }
            else
            {
                response.StatusCode = 404;
            }
            response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
