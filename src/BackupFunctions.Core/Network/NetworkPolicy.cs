using System.Net;
using System.Net.Sockets;

namespace BackupFunctions.Core.Network;

/// <summary>
/// Which addresses the service may connect to on behalf of an API caller (storage endpoints, SFTP/FTP servers,
/// webhooks, CMS databases). A caller who can name a host could otherwise make the service reach what only it can
/// reach: the cloud's metadata endpoint (and the identity's tokens behind it), or services on its private network.
/// </summary>
/// <remarks>
/// Link-local and metadata addresses are always refused. Loopback, private, shared (CGNAT) and unspecified
/// addresses are refused unless a range in <see cref="NetworkOptions.AllowedRanges"/> contains them. Every other
/// (public) address is allowed. IPv4 addresses written as IPv6 (<c>::ffff:10.0.0.1</c>, NAT64
/// <c>64:ff9b::a00:1</c>) are judged as the IPv4 address they carry. Host names are judged by what they resolve to at
/// connect time (<see cref="ResolveAsync"/>), so a name that resolves differently later (DNS rebinding) is caught.
/// </remarks>
public sealed class NetworkPolicy
{
    private static readonly IPNetwork[] AlwaysRefused =
    [
        IPNetwork.Parse("169.254.0.0/16"),     // IPv4 link-local, incl. 169.254.169.254 (AWS, GCP, Azure IMDS)
        IPNetwork.Parse("168.63.129.16/32"),   // Azure's platform (wire server) address
        IPNetwork.Parse("100.100.100.200/32"), // Alibaba Cloud metadata
        IPNetwork.Parse("224.0.0.0/4"),        // multicast
        IPNetwork.Parse("240.0.0.0/4"),        // reserved, incl. broadcast
        IPNetwork.Parse("fe80::/10"),          // IPv6 link-local
        IPNetwork.Parse("fd00:ec2::254/128"),  // AWS metadata over IPv6
        IPNetwork.Parse("ff00::/8"),           // IPv6 multicast
    ];

    private static readonly IPNetwork[] InternalRanges =
    [
        IPNetwork.Parse("0.0.0.0/8"),          // "this network", incl. the unspecified address
        IPNetwork.Parse("127.0.0.0/8"),        // loopback
        IPNetwork.Parse("10.0.0.0/8"),         // private
        IPNetwork.Parse("172.16.0.0/12"),      // private
        IPNetwork.Parse("192.168.0.0/16"),     // private
        IPNetwork.Parse("100.64.0.0/10"),      // shared address space (carrier-grade NAT)
        IPNetwork.Parse("::/128"),             // unspecified
        IPNetwork.Parse("::1/128"),            // loopback
        IPNetwork.Parse("fc00::/7"),           // unique local
        IPNetwork.Parse("fec0::/10"),          // site-local (deprecated, still routed by some)
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly IPNetwork[] _allowed;

    /// <summary>A policy that allows the internal addresses inside <paramref name="allowedRanges"/>.</summary>
    public NetworkPolicy(IEnumerable<IPNetwork> allowedRanges)
    {
        ArgumentNullException.ThrowIfNull(allowedRanges);
        _allowed = [.. allowedRanges];
    }

    /// <summary>
    /// A policy that allows every loopback, private and unspecified address and still refuses link-local and metadata
    /// ones: for an operator's own tool on their own machine (backupctl), and for stores built without a policy.
    /// </summary>
    public static NetworkPolicy InternalAllowed { get; } = new([IPNetwork.Parse("0.0.0.0/0"), IPNetwork.Parse("::/0")]);

    /// <summary>The ranges this policy allows beyond public addresses.</summary>
    public IReadOnlyList<IPNetwork> AllowedRanges => _allowed;

    /// <summary>The policy of <see cref="NetworkOptions.AllowedRanges"/>.</summary>
    /// <exception cref="FormatException">An entry is not a CIDR range; the message names it.</exception>
    public static NetworkPolicy FromOptions(NetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new NetworkPolicy(ParseRanges(options.AllowedRanges));
    }

    /// <summary>CIDR ranges separated by commas or semicolons (a bare address means that one address).</summary>
    /// <exception cref="FormatException">An entry is not a CIDR range; the message names it.</exception>
    public static IReadOnlyList<IPNetwork> ParseRanges(string? text)
    {
        var ranges = new List<IPNetwork>();
        foreach (var entry in (text ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var range))
            {
                // .NET masks host bits silently; "10.0.0.1/8" is more likely a typo than a wish for all of 10/8.
                if (!IPAddress.Parse(entry[..entry.IndexOf('/', StringComparison.Ordinal)]).Equals(range.BaseAddress))
                    throw new FormatException($"'{entry}' has host bits set; did you mean {range}?");
                ranges.Add(range);
            }
            else if (IPAddress.TryParse(entry, out var single))
                ranges.Add(new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            else
                throw new FormatException($"'{entry}' is not a CIDR range such as 10.0.0.0/8 or fd00::/8 (with the host bits zero).");
        }
        return ranges;
    }

    /// <summary>Null when the service may connect to <paramref name="address"/>; otherwise why not, for a message.</summary>
    public string? Check(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var judged = Unwrap(address);
        if (AlwaysRefused.Any(r => r.Contains(judged)))
            return $"{address} is a link-local or cloud metadata address, which is never allowed";
        if (!InternalRanges.Any(r => r.Contains(judged)))
            return null;
        if (_allowed.Any(r => r.BaseAddress.AddressFamily == judged.AddressFamily && r.Contains(judged)))
            return null;
        return $"{address} is a loopback, private or unspecified address, which is allowed only inside {NetworkOptions.SectionName}__{nameof(NetworkOptions.AllowedRanges)}";
    }

    /// <summary>
    /// Null when <paramref name="host"/> may be named (an allowed address, or a name: names are judged when they
    /// resolve, at connect time); otherwise why not. For create-time checks of what an API caller sends.
    /// </summary>
    public string? CheckHost(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out var address))
            return Check(address);
        var name = bare.TrimEnd('.');
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return Check(IPAddress.Loopback);
        return null;
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> that the service may connect to, in the resolver's order. Connect
    /// to one of these (never resolve the name again), so what was checked is what is used.
    /// </summary>
    /// <exception cref="NetworkRefusedException">None of the host's addresses is allowed.</exception>
    /// <exception cref="SocketException">The name does not resolve.</exception>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        var addresses = IPAddress.TryParse(bare, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(bare, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(a => Check(a) is null).ToArray();
        if (allowed.Length == 0)
        {
            var reason = addresses.Length == 0 ? "it has no address" : Check(addresses[0]);
            throw new NetworkRefusedException($"Connecting to '{host}' is not allowed: {reason}.");
        }
        return allowed;
    }

    /// <summary>A TCP connection to an allowed address of <paramref name="host"/> (the first one that answers).</summary>
    /// <exception cref="NetworkRefusedException">None of the host's addresses is allowed.</exception>
    /// <exception cref="SocketException">The name does not resolve, or no allowed address answers.</exception>
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>
    /// For <see cref="SocketsHttpHandler.ConnectCallback"/>: every HTTP connection (after redirects and proxies
    /// too) goes to an allowed address.
    /// </summary>
    public async ValueTask<Stream> ConnectHttpAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var socket = await ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static IPAddress Unwrap(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        var bytes = address.GetAddressBytes();
        // NAT64 (64:ff9b::a.b.c.d) and the deprecated IPv4-compatible form (::a.b.c.d) reach the IPv4 address they carry.
        var ipv4Compatible = bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback);
        return Nat64.Contains(address) || ipv4Compatible ? new IPAddress(bytes.AsSpan(12, 4)) : address;
    }
}
