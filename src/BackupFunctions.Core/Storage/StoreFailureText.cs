using System.Net.Sockets;
using System.Security.Authentication;
using BackupFunctions.Core.Network;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// The words a store puts into its <see cref="StoreException"/> messages about a failure, which reach job errors,
/// job logs, alerts and the API. Only our own words, codes and the kind of failure: never text a server sent (a
/// reply, a banner, an HTTP body, an exception message quoting one), so an API caller who points a destination at a
/// server cannot use the service to read what that server says. The full exception stays the inner exception, which
/// the server-side logs carry.
/// </summary>
internal static class StoreFailureText
{
    /// <summary>What a connection failure was, in our words ("connection refused", "timed out", …).</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case NetworkRefusedException:
                    return "the network policy does not allow this destination's address";
                case SocketException socket:
                    return $"the connection failed ({socket.SocketErrorCode})";
                case AuthenticationException:
                    return "the TLS negotiation failed";
                case TimeoutException:
                case OperationCanceledException:
                    return "it timed out";
                case HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http when ex.InnerException is null or not SocketException:
                    return $"the HTTP request failed ({http.HttpRequestError})";
            }
        }
        return exception switch
        {
            IOException => "the connection broke",
            _ => $"an unexpected failure ({exception.GetType().Name})",
        };
    }

    /// <summary>
    /// A <see cref="StoreFailureKind.NotAllowed"/> failure when <paramref name="exception"/> (or one it wraps) is the
    /// network policy's refusal; otherwise null. Not transient: retrying would be refused again.
    /// </summary>
    public static StoreException? Refusal(string prefix, Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is NetworkRefusedException)
            {
                return new StoreException(
                    $"{prefix}: the service may not connect to this destination's address (a link-local or metadata address, or a loopback or private one outside {NetworkOptions.SectionName}__{nameof(NetworkOptions.AllowedRanges)}); nothing was sent.",
                    StoreFailureKind.NotAllowed, exception);
            }
        }
        return null;
    }
}
