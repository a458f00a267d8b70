using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;

namespace BackupFunctions.Core.Keys;

/// <summary>
/// Key Vault's challenge-based authentication: the first request goes without a token; the vault's 401 names the
/// tenant (<c>authorization</c>) and the resource (<c>resource</c> or <c>scope</c>), from which the token's scope
/// <c>{resource}/.default</c> follows. The scope is cached, so later requests carry a token straight away.
/// </summary>
/// <remarks>
/// The base class refuses any request that is not https before anything is sent, so a token never travels in clear;
/// that check is kept (do not override ProcessAsync).
/// </remarks>
internal sealed partial class KeyVaultChallengePolicy(TokenCredential credential, bool verifyChallengeResource)
    : BearerTokenAuthenticationPolicy(credential, Array.Empty<string>())
{
    // Written once per challenge, read by every request; a box makes the struct swap atomic.
    private volatile StrongBox<TokenRequestContext>? _context;

    protected override ValueTask AuthorizeRequestAsync(HttpMessage message) =>
        _context is { } context ? AuthenticateAndAuthorizeRequestAsync(message, context.Value) : default;

    protected override void AuthorizeRequest(HttpMessage message)
    {
        if (_context is { } context)
            AuthenticateAndAuthorizeRequest(message, context.Value);
    }

    protected override async ValueTask<bool> AuthorizeRequestOnChallengeAsync(HttpMessage message)
    {
        if (ContextFromChallenge(message) is not { } challenge)
            return false;
        _context = new StrongBox<TokenRequestContext>(challenge);
        await AuthenticateAndAuthorizeRequestAsync(message, challenge).ConfigureAwait(false);
        return true;
    }

    protected override bool AuthorizeRequestOnChallenge(HttpMessage message)
    {
        if (ContextFromChallenge(message) is not { } challenge)
            return false;
        _context = new StrongBox<TokenRequestContext>(challenge);
        AuthenticateAndAuthorizeRequest(message, challenge);
        return true;
    }

    private TokenRequestContext? ContextFromChallenge(HttpMessage message)
    {
        if (!message.Response.Headers.TryGetValue("WWW-Authenticate", out var header)
            || !header.TrimStart().StartsWith("Bearer", StringComparison.OrdinalIgnoreCase))
            return null;

        string? authorization = null, resource = null, scope = null;
        foreach (Match parameter in ChallengeParameter().Matches(header))
        {
            var value = parameter.Groups["value"].Value;
            switch (parameter.Groups["name"].Value.ToLowerInvariant())
            {
                case "authorization" or "authorization_uri": authorization = value; break;
                case "resource": resource = value; break;
                case "scope": scope = value; break;
            }
        }

        scope ??= resource is null ? null : resource.TrimEnd('/') + "/.default";
        if (scope is null || !Uri.TryCreate(scope, UriKind.Absolute, out var scopeUri))
            return null;
        var host = message.Request.Uri.Host ?? "";
        if (verifyChallengeResource
            && !host.Equals(scopeUri.Host, StringComparison.OrdinalIgnoreCase)
            && !host.EndsWith("." + scopeUri.Host, StringComparison.OrdinalIgnoreCase))
        {
            throw new KeyVaultException(
                $"The vault at {host} asked for a token for '{scopeUri.Host}', which is not a parent domain of the vault; "
                + "no token was requested. Check Keys:KeyVaultKeyUrl.", 401, "ChallengeResourceMismatch");
        }

        // The tenant is the last segment of the authority URL (https://login.microsoftonline.com/{tenant}).
        string? tenantId = null;
        if (authorization is not null && Uri.TryCreate(authorization, UriKind.Absolute, out var authorityUri))
            tenantId = authorityUri.Segments.LastOrDefault()?.Trim('/') is { Length: > 0 } tenant ? tenant : null;
        return new TokenRequestContext([scope], tenantId: tenantId);
    }

    [GeneratedRegex("(?<name>[A-Za-z_]+)\\s*=\\s*\"(?<value>[^\"]*)\"")]
    private static partial Regex ChallengeParameter();
}
