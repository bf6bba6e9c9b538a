using System.IO;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Metabalance
{
    /// <summary>One JSON configuration for the wire and the spool (Newtonsoft 6.0.8 and 13 alike).</summary>
    public static class Json
    {
        // Dates stay strings ("at" is compared and stored verbatim); absent optionals are omitted
        // because the sidecar's schemas reject unknown and null properties.
        public static readonly JsonSerializerSettings Settings = new JsonSerializerSettings
        {
            NullValueHandling = NullValueHandling.Ignore,
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
        };

        public static readonly JsonSerializer Serializer = JsonSerializer.Create(Settings);

        public static string Serialize(object value) { return JsonConvert.SerializeObject(value, Formatting.None, Settings); }

        public static T Deserialize<T>(string text) { return JsonConvert.DeserializeObject<T>(text, Settings); }

        public static JToken Parse(string text)
        {
            using (var reader = new JsonTextReader(new StringReader(text)))
            {
                reader.DateParseHandling = DateParseHandling.None;
                reader.FloatParseHandling = FloatParseHandling.Double;
                var token = JToken.ReadFrom(reader);
                if (reader.Read() && reader.TokenType != JsonToken.Comment) throw new JsonReaderException("trailing data after the JSON value");
                return token;
            }
        }

        public static JToken ToToken(object value) { return value == null ? new JObject() : JToken.FromObject(value, Serializer); }

        public static T FromToken<T>(JToken token) { return token == null ? default(T) : token.ToObject<T>(Serializer); }
    }
}
