using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace BackupFunctions.Core.Notifications;

/// <summary>
/// Posts an event to one webhook: JSON body, signed (<see cref="WebhookSignature"/>) when there is a secret, each
/// attempt with a fresh timestamp and its own timeout. Retries with exponential backoff after a network error, a
/// timeout, 429 (honouring Retry-After up to a minute) or 5xx; never after another 4xx or a redirect (redirects are
/// not followed: the signature is for the configured URL). Never throws for a failed delivery: it is the result.
/// </summary>
public sealed class WebhookSender
{
    /// <summary>The named HttpClient (registered by <see cref="NotificationServices"/>).</summary>
    public const string HttpClientName = "BackupFunctions.Webhooks";

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly TimeSpan _timeout;

    public WebhookSender(IHttpClientFactory clients, IOptions<NotificationOptions> options, TimeProvider time, ILogger<WebhookSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _time = time;
        _logger = logger;
        var settings = options.Value.Webhooks;
        // The pipeline paces real network calls, so it runs on the system clock even where a test fakes the app's clock.
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (settings.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.Retries,
                Delay = TimeSpan.FromSeconds(settings.RetryDelaySeconds),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    // A refusal of the network policy would be refused again.
                    .Handle<HttpRequestException>(e => e.InnerException is not Network.NetworkRefusedException)
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(IsTransient),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
            });
        }
        _timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        _pipeline = builder.AddTimeout(_timeout).Build();
    }

    /// <summary>Delivers <paramref name="notification"/> to <paramref name="url"/>; <paramref name="secret"/> null sends it unsigned.</summary>
    public async Task<NotificationDelivery> SendAsync(string url, string? secret, BackupNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(notification);
        var target = NotificationSetup.LoggedUrl(url);
        var body = notification.ToJsonBytes();
        var client = _clients.CreateClient(HttpClientName);
        var attempts = 0;
        string? error;
        try
        {
            using var response = await _pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                // A new request per attempt: a request message cannot be sent twice, and the timestamp must be fresh.
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.Add(WebhookSignature.EventHeader, notification.Event);
                request.Headers.Add(WebhookSignature.DeliveryHeader, notification.Id);
                if (secret is not null)
                {
                    var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
                    request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
                    request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(secret, timestamp, body));
                }
                var answer = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                if (IsTransient(answer))
                    _logger.LogInformation("Webhook {Target} answered {Status} to {Event} (attempt {Attempt})", target, (int)answer.StatusCode, notification.Event, attempts);
                return answer;
            }, cancellationToken);

            if (response.IsSuccessStatusCode)
            {
                _logger.LogInformation("Webhook {Target} took {Event} {NotificationId} (attempt {Attempt})", target, notification.Event, notification.Id, attempts);
                return new NotificationDelivery(NotificationDelivery.Webhook, target, true, attempts, null);
            }
            // The status code only: the reason phrase and body are the receiver's text, which the job's API answer must
            // not carry (a config's author could otherwise read what an internal server says).
            error = $"HTTP {(int)response.StatusCode}"
                + ((int)response.StatusCode is >= 300 and < 400 ? " (redirects are not followed; configure the final URL)" : "");
        }
        catch (TimeoutRejectedException)
        {
            error = $"no answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
        }
        catch (HttpRequestException e) when (e.InnerException is Network.NetworkRefusedException refused)
        {
            // The refusal names the address the host resolved to: for the log, not for the job's API answer.
            _logger.LogWarning("Webhook {Target} not called: {Reason}", target, refused.Message);
            error = "the network policy does not allow the URL's address (a link-local or metadata address, or a loopback or private one "
                    + $"outside {Network.NetworkOptions.SectionName}__{nameof(Network.NetworkOptions.AllowedRanges)}); nothing was sent";
        }
        catch (HttpRequestException e)
        {
            // Our words for what happened: .NET's messages may quote what the receiver sent (an invalid status line).
            _logger.LogWarning(e, "Webhook {Target} failed ({HttpRequestError})", target, e.HttpRequestError);
            error = $"the request failed ({e.HttpRequestError})";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = "the request was cancelled";
        }
        _logger.LogWarning("Webhook {Target} did not take {Event} {NotificationId} after {Attempts} attempt(s): {Error}",
            target, notification.Event, notification.Id, attempts, error);
        return new NotificationDelivery(NotificationDelivery.Webhook, target, false, attempts, error);
    }

    private static bool IsTransient(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;

    /// <summary>The receiver's Retry-After (capped), or null for the exponential backoff.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter)
            return null;
        var wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } w && w > TimeSpan.Zero ? (w < MaxRetryAfter ? w : MaxRetryAfter) : null;
    }
}
